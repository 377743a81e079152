import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { invalidField } from './invalidField';

// Flowella's ids are cuid strings and Meta template ids numeric strings; the API caps a template id at 128.
const ID_MAX_LENGTH = 128;

/** A WhatsApp channel ID field: a plain string, as the API has no way to list channels. */
export const channelIdOption: INodeProperties = {
	displayName: 'WhatsApp Channel ID',
	name: 'whatsappChannelId',
	type: 'string',
	default: '',
	placeholder: 'e.g. clxxxxxxxxxxxxxxxxxxxxxxxx',
	description: "ID of the WhatsApp channel, as shown in the channel's settings in Flowella",
};

function checkId(ctx: IExecuteFunctions, value: unknown, label: string, itemIndex: number): string {
	const id = typeof value === 'number' ? String(value) : value;
	if (typeof id !== 'string') throw invalidField(ctx, label, value, 'must be text', itemIndex);
	const trimmed = id.trim();
	if (/\s/.test(trimmed)) throw invalidField(ctx, label, value, 'contains spaces; paste the ID exactly as Flowella shows it', itemIndex);
	if (trimmed.length > ID_MAX_LENGTH) {
		throw invalidField(ctx, label, value, `is ${trimmed.length} characters long; Flowella IDs have at most ${ID_MAX_LENGTH}`, itemIndex);
	}
	return trimmed;
}

/** An ID parameter that must be set: trimmed, with no inner spaces; a bad one fails the item, naming the field. */
export function readRequiredId(ctx: IExecuteFunctions, parameter: string, label: string, itemIndex: number): string {
	const value = ctx.getNodeParameter(parameter, itemIndex, '');
	const id = checkId(ctx, value, label, itemIndex);
	if (id === '') throw invalidField(ctx, label, value, 'is empty; it is required', itemIndex);
	return id;
}

/** An optional ID parameter: undefined when empty. */
export function readOptionalId(ctx: IExecuteFunctions, parameter: string, label: string, itemIndex: number): string | undefined {
	const value = ctx.getNodeParameter(parameter, itemIndex, '');
	if (value === undefined || value === null) return undefined;
	const id = checkId(ctx, value, label, itemIndex);
	return id === '' ? undefined : id;
}
