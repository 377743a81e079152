import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { FlowellaClient } from '../../shared/client';
import { optionsCollection } from '../../shared/descriptions';
import { invalidField } from '../../shared/itemErrors';
import type { ItemOperation } from '../../shared/operation';
import { showFor } from '../../shared/operation';
import { readTimeout } from '../../shared/options';
import { defaultCountryCodeOption, phoneField, readPhone } from '../../shared/phoneFields';
import { sendAtMostOnce } from '../../shared/sendAtMostOnce';
import { sendingAdvice } from '../../shared/sendingAdvice';
import { channelIdOption, readOptionalId } from '../../shared/ids';
import { hasId, readLimitedText } from '../../shared/textFields';

export const kind = 'item';
export const sends = 'message';

export const option: ItemOperation['option'] = {
	name: 'Send Text',
	value: 'sendText',
	description: 'Send a WhatsApp text message to one phone number',
	action: 'Send a WhatsApp text message',
};

// Flowella's limit for a text message's body.
const TEXT_MAX_LENGTH = 4096;

export const description: INodeProperties[] = [
	phoneField('to', 'To', 'Phone number to send the WhatsApp message to, in international format.', showFor('message', 'sendText')),
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 4 },
		description:
			"Text of the message, 1 to 4,096 characters. WhatsApp delivers free-form text only within 24 hours of the contact's last message; outside that window use Template → Send to Many.",
		displayOptions: showFor('message', 'sendText'),
	},
	optionsCollection({ resource: ['message'], operation: ['sendText'] }, [
		{
			...channelIdOption,
			description: "ID of the WhatsApp channel to send from, as shown in the channel's settings in Flowella. Empty: the organisation's default channel.",
		},
		defaultCountryCodeOption,
	]),
];

interface SendTextBody {
	to: string;
	text: string;
	whatsappChannelId?: string;
}

function readText(ctx: IExecuteFunctions, itemIndex: number): string {
	const text = readLimitedText(ctx, 'text', 'Text', itemIndex, TEXT_MAX_LENGTH);
	if (text.trim() === '') throw invalidField(ctx, 'Text', text, 'is empty; WhatsApp does not send an empty message', itemIndex);
	return text;
}

/** Message → Send Text: one POST /api/v1/messages per item, never sent twice (not retried once it may have arrived). */
export async function execute(
	this: IExecuteFunctions,
	client: FlowellaClient,
	itemIndex: number,
	signal: AbortSignal,
): Promise<IDataObject> {
	const body: SendTextBody = { to: readPhone(this, 'to', 'To', itemIndex), text: readText(this, itemIndex) };
	const channel = readOptionalId(this, 'options.whatsappChannelId', 'WhatsApp Channel ID', itemIndex);
	if (channel) body.whatsappChannelId = channel;
	return await sendAtMostOnce(this, client, { itemIndex }, async () =>
		(await client.request({
			method: 'POST',
			path: '/api/v1/messages',
			body,
			idempotent: false,
			sends: 'message',
			advice: sendingAdvice,
			itemIndex,
			signal,
			timeoutMs: readTimeout(this, itemIndex),
			validate: hasId('message'),
		})) as IDataObject,
	);
}
