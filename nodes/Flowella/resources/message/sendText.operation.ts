import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { optionsCollection } from '../../fields/descriptions';
import { channelIdOption, readOptionalId } from '../../fields/ids';
import { invalidField } from '../../fields/invalidField';
import { defaultCountryCodeOption, phoneField, readPhone } from '../../fields/phoneField';
import { readLimitedText } from '../../fields/text';
import type { ItemClient, Writes } from '../../transport/client';
import { hasId } from '../../transport/client';
import { sendingAdvice } from '../../transport/sendingAdvice';
import type { ItemOperation } from '../operation';

export const option: ItemOperation['option'] = {
	name: 'Send Text',
	value: 'sendText',
	description: 'Send a WhatsApp text message to one phone number',
	action: 'Send a WhatsApp text message',
};

// Flowella's limit for a text message's body.
const TEXT_MAX_LENGTH = 4096;

export const description: INodeProperties[] = [
	phoneField('to', 'To', 'Phone number to send the WhatsApp message to, in international format.'),
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 4 },
		description:
			"Text of the message, 1 to 4,096 characters. WhatsApp delivers free-form text only within 24 hours of the contact's last message; outside that window use Template → Send to Many.",
	},
	optionsCollection([
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

// A message sent twice arrives twice: never retried once it may have reached Flowella.
export const writes: Writes = { safeToRepeat: false, sends: 'message', advice: sendingAdvice };

/** Message → Send Text: one POST /api/v1/messages per item. */
export async function execute(this: IExecuteFunctions, item: ItemClient): Promise<IDataObject> {
	const { itemIndex } = item;
	const body: SendTextBody = { to: readPhone(this, 'to', 'To', itemIndex), text: readText(this, itemIndex) };
	const channel = readOptionalId(this, 'options.whatsappChannelId', 'WhatsApp Channel ID', itemIndex);
	if (channel) body.whatsappChannelId = channel;
	return await item.write('/api/v1/messages', body, hasId('message'));
}
