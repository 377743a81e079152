import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { FlowellaClient } from '../../shared/client';
import { optionsCollection } from '../../shared/descriptions';
import { invalidField } from '../../shared/itemErrors';
import type { ItemOperation } from '../../shared/operation';
import { showFor } from '../../shared/operation';
import { readOption, readTimeout } from '../../shared/options';
import { defaultCountryCodeOption, phoneField, readDefaultCountryCode } from '../../shared/phoneFields';
import { sendAtMostOnce } from '../../shared/sendAtMostOnce';
import { contactRowProblem } from './contactRow';
import type { EmptyValues, FieldProblem } from './upsertRequest';
import { buildUpsertRequest } from './upsertRequest';

export const kind = 'item';

export const option: ItemOperation['option'] = {
	name: 'Create or Update',
	value: 'upsert',
	description: 'Create a new record, or update the current one if it already exists (upsert)',
	action: 'Create or update a contact',
};

export const description: INodeProperties[] = [
	phoneField('phone', 'Phone', 'Phone number in international format; Flowella matches contacts by it.', showFor('contact', 'upsert')),
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: showFor('contact', 'upsert'),
		options: [
			{
				displayName: 'Email',
				name: 'email',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
				description: 'Email address of the contact, such as name@example.com',
			},
			{
				displayName: 'Name',
				name: 'name',
				type: 'string',
				default: '',
				description: 'Full name of the contact, up to 200 characters',
			},
			{
				displayName: 'WhatsApp ID',
				name: 'waId',
				type: 'string',
				default: '',
				description: 'WhatsApp ID of the contact (usually the phone number in digits), up to 64 characters',
			},
		],
	},
	optionsCollection({ resource: ['contact'], operation: ['upsert'] }, [
		defaultCountryCodeOption,
		{
			displayName: 'Empty Values',
			name: 'emptyValues',
			type: 'options',
			default: 'skip',
			description: 'What to do when an added field is empty for an item',
			options: [
				{
					name: 'Skip Field',
					value: 'skip',
					description: 'Leave the value stored in Flowella unchanged; a blank cell never wipes data',
				},
				{
					name: 'Clear Field',
					value: 'clear',
					description: 'Erase the value stored in Flowella for that field',
				},
			],
		},
	]),
];

const FIELD_LABELS: Record<FieldProblem['field'], string> = {
	phone: 'Phone',
	name: 'Name',
	email: 'Email',
	waId: 'WhatsApp ID',
};

/** Contact → Create or Update: one POST /api/v1/contacts per item, safe to repeat (the phone is the key). */
export async function execute(
	this: IExecuteFunctions,
	client: FlowellaClient,
	itemIndex: number,
	signal: AbortSignal,
): Promise<IDataObject> {
	const emptyValues = readOption(this, 'emptyValues', itemIndex, 'skip') === 'clear' ? 'clear' : 'skip';
	const request = buildUpsertRequest({
		phone: this.getNodeParameter('phone', itemIndex),
		additionalFields: this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject,
		defaultCountryCode: readDefaultCountryCode(this, itemIndex),
		emptyValues: emptyValues as EmptyValues,
	});
	if (!request.ok) throw invalidField(this, FIELD_LABELS[request.field], request.value, request.reason, itemIndex);
	// n8n's re-run (Retry On Fail) gets the answer of an earlier try instead of sending again.
	return await sendAtMostOnce(this, client, { itemIndex }, async () =>
		(await client.request({
			method: 'POST',
			path: '/api/v1/contacts',
			body: request.body,
			idempotent: true,
			itemIndex,
			signal,
			timeoutMs: readTimeout(this, itemIndex),
			validate: contactRowProblem,
		})) as IDataObject,
	);
}
