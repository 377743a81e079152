import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { additionalFieldsCollection, optionsCollection } from '../../fields/descriptions';
import { invalidField } from '../../fields/invalidField';
import { readOption } from '../../fields/options';
import { defaultCountryCodeOption, phoneField, readPhone } from '../../fields/phoneField';
import type { ItemClient, Writes } from '../../transport/client';
import type { ItemOperation } from '../operation';
import type { ContactField } from './contactFields';
import { contactBody } from './contactFields';
import { contactRowProblem } from './contactRow';

export const option: ItemOperation['option'] = {
	name: 'Create or Update',
	value: 'upsert',
	description: 'Create a new record, or update the current one if it already exists (upsert)',
	action: 'Create or update a contact',
};

export const description: INodeProperties[] = [
	phoneField('phone', 'Phone', 'Phone number in international format; Flowella matches contacts by it.'),
	additionalFieldsCollection([
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'e.g. nathan@example.com',
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
	]),
	optionsCollection([
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

// The phone is the contact's key in Flowella: sending the same contact twice leaves one contact.
export const writes: Writes = { safeToRepeat: true };

const FIELD_LABELS: Record<ContactField, string> = {
	name: 'Name',
	email: 'Email',
	waId: 'WhatsApp ID',
};

/** Contact → Create or Update: one POST /api/v1/contacts per item. */
export async function execute(this: IExecuteFunctions, item: ItemClient): Promise<IDataObject> {
	const { itemIndex } = item;
	const phone = readPhone(this, 'phone', 'Phone', itemIndex);
	const additionalFields = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const emptyValues = readOption(this, 'emptyValues', itemIndex, 'skip') === 'clear' ? 'clear' : 'skip';
	const body = contactBody(phone, additionalFields, emptyValues);
	if (!body.ok) throw invalidField(this, FIELD_LABELS[body.field], body.value, body.reason, itemIndex);
	return await item.write('/api/v1/contacts', body.body, contactRowProblem);
}
