import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { FlowellaClient } from '../../shared/client';
import { optionsCollection } from '../../shared/descriptions';
import { channelIdOption, readRequiredId } from '../../shared/ids';
import type { ItemOperation } from '../../shared/operation';
import { showFor } from '../../shared/operation';
import { readTimeout } from '../../shared/options';
import { defaultCountryCodeOption, phoneField, readPhone } from '../../shared/phoneFields';
import { sendAtMostOnce } from '../../shared/sendAtMostOnce';
import { sendingAdvice } from '../../shared/sendingAdvice';
import { readLimitedText } from '../../shared/textFields';

export const kind = 'item';

export const option: ItemOperation['option'] = {
	name: 'Opt Out',
	value: 'optOut',
	description: 'Stop WhatsApp messages to a contact on one channel (an opt-out cannot be cleared through the API)',
	action: 'Opt out a contact',
};

// Flowella's limit for an opt-out's reason.
const REASON_MAX_LENGTH = 500;

const show = showFor('contact', 'optOut');

export const description: INodeProperties[] = [
	{
		...channelIdOption,
		required: true,
		description: "ID of the WhatsApp channel the contact opts out of, as shown in the channel's settings in Flowella",
		displayOptions: show,
	},
	phoneField('phone', 'Phone', "The contact's phone number in international format.", show),
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Reason',
				name: 'reason',
				type: 'string',
				default: '',
				description: 'Why the contact opted out, up to 500 characters, kept with the opt-out in Flowella',
			},
		],
	},
	optionsCollection({ resource: ['contact'], operation: ['optOut'] }, [defaultCountryCodeOption]),
];

interface OptOutBody {
	action: 'set';
	whatsappChannelId: string;
	phone: string;
	reason?: string;
}

function readReason(ctx: IExecuteFunctions, itemIndex: number): string | undefined {
	const reason = readLimitedText(ctx, 'additionalFields.reason', 'Reason', itemIndex, REASON_MAX_LENGTH).trim();
	return reason === '' ? undefined : reason;
}

function optOutProblem(body: unknown): string | undefined {
	const state = body as { active?: unknown } | null;
	return typeof state === 'object' && state !== null && typeof state.active === 'boolean' ? undefined : 'it has no opt-out state';
}

/** Contact → Opt Out: one POST /api/v1/opt-outs per item (`action: "set"`); setting it twice is the same state, so it is retried like an upsert. */
export async function execute(
	this: IExecuteFunctions,
	client: FlowellaClient,
	itemIndex: number,
	signal: AbortSignal,
): Promise<IDataObject> {
	const body: OptOutBody = {
		action: 'set',
		whatsappChannelId: readRequiredId(this, 'whatsappChannelId', 'WhatsApp Channel ID', itemIndex),
		phone: readPhone(this, 'phone', 'Phone', itemIndex),
	};
	const reason = readReason(this, itemIndex);
	if (reason) body.reason = reason;
	return await sendAtMostOnce(this, client, { itemIndex }, async () =>
		(await client.request({
			method: 'POST',
			path: '/api/v1/opt-outs',
			body,
			idempotent: true,
			advice: sendingAdvice,
			itemIndex,
			signal,
			timeoutMs: readTimeout(this, itemIndex),
			validate: optOutProblem,
		})) as IDataObject,
	);
}
