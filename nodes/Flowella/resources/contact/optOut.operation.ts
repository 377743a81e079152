import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { additionalFieldsCollection, optionsCollection } from '../../fields/descriptions';
import { channelIdOption, readRequiredId } from '../../fields/ids';
import { defaultCountryCodeOption, phoneField, readPhone } from '../../fields/phoneField';
import { readLimitedText } from '../../fields/text';
import type { ItemClient, Writes } from '../../transport/client';
import { sendingAdvice } from '../../transport/sendingAdvice';
import type { ItemOperation } from '../operation';

export const option: ItemOperation['option'] = {
	name: 'Opt Out',
	value: 'optOut',
	description: 'Stop WhatsApp messages to a contact on one channel (an opt-out cannot be cleared through the API)',
	action: 'Opt out a contact',
};

// Flowella's limit for an opt-out's reason.
const REASON_MAX_LENGTH = 500;

export const description: INodeProperties[] = [
	{
		...channelIdOption,
		required: true,
		description: "ID of the WhatsApp channel the contact opts out of, as shown in the channel's settings in Flowella",
	},
	phoneField('phone', 'Phone', "The contact's phone number in international format."),
	additionalFieldsCollection([
		{
			displayName: 'Reason',
			name: 'reason',
			type: 'string',
			default: '',
			description: 'Why the contact opted out, up to 500 characters, kept with the opt-out in Flowella',
		},
	]),
	optionsCollection([defaultCountryCodeOption]),
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

// Setting an opt-out twice is the same state, so it is retried like an upsert.
export const writes: Writes = { safeToRepeat: true, advice: sendingAdvice };

/** Contact → Opt Out: one POST /api/v1/opt-outs per item (`action: "set"`). */
export async function execute(this: IExecuteFunctions, item: ItemClient): Promise<IDataObject> {
	const { itemIndex } = item;
	const body: OptOutBody = {
		action: 'set',
		whatsappChannelId: readRequiredId(this, 'whatsappChannelId', 'WhatsApp Channel ID', itemIndex),
		phone: readPhone(this, 'phone', 'Phone', itemIndex),
	};
	const reason = readReason(this, itemIndex);
	if (reason) body.reason = reason;
	return await item.write('/api/v1/opt-outs', body, optOutProblem);
}
