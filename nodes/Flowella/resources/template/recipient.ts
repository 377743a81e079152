import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { readDateTime } from '../../fields/dates';
import { readOptionalId, readRequiredId } from '../../fields/ids';
import { invalidField } from '../../fields/invalidField';
import { readOption } from '../../fields/options';
import { readPhone } from '../../fields/phoneField';

/** One recipient of POST /api/v1/templates/send, as Flowella's contract defines it. */
export interface TemplateRecipient {
	phone: string;
	contactId?: string;
	bodyParameters?: string[];
	buttonParameters?: IDataObject[];
}

const THROTTLE_MIN = 1;
const THROTTLE_MAX = 100_000;

/** A JSON parameter: n8n hands over the text typed, or the value an expression made. Empty means not set. */
function readJson(ctx: IExecuteFunctions, name: string, label: string, itemIndex: number): unknown {
	const value = readOption(ctx, name, itemIndex, '');
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') return value;
	if (value.trim() === '') return undefined;
	try {
		return JSON.parse(value) as unknown;
	} catch {
		throw invalidField(ctx, label, value, 'is not valid JSON', itemIndex);
	}
}

function readHeaderMedia(ctx: IExecuteFunctions, itemIndex: number): IDataObject | undefined {
	const media = readJson(ctx, 'headerMedia', 'Header Media', itemIndex);
	if (media === undefined) return undefined;
	if (typeof media !== 'object' || Array.isArray(media) || media === null) {
		throw invalidField(ctx, 'Header Media', media, 'must be a JSON object', itemIndex);
	}
	return Object.keys(media).length === 0 ? undefined : (media as IDataObject);
}

function readButtonParameters(ctx: IExecuteFunctions, itemIndex: number): IDataObject[] | undefined {
	const buttons = readJson(ctx, 'buttonParameters', 'Button Parameters', itemIndex);
	if (buttons === undefined) return undefined;
	if (!Array.isArray(buttons) || buttons.some((button) => typeof button !== 'object' || button === null || Array.isArray(button))) {
		throw invalidField(ctx, 'Button Parameters', buttons, 'must be a JSON array of objects', itemIndex);
	}
	return buttons.length === 0 ? undefined : (buttons as IDataObject[]);
}

function readBodyParameters(ctx: IExecuteFunctions, itemIndex: number): string[] | undefined {
	const collection = ctx.getNodeParameter('bodyParameters', itemIndex, {}) as { parameter?: Array<{ value?: unknown }> };
	const parameters = collection?.parameter ?? [];
	if (parameters.length === 0) return undefined;
	return parameters.map(({ value }, position) => {
		const label = `Body Parameter ${position + 1}`;
		const text = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
		if (typeof text !== 'string') throw invalidField(ctx, label, value, 'must be text', itemIndex);
		// WhatsApp refuses a template whose placeholder is empty: better named here than refused for the whole job.
		if (text.trim() === '') throw invalidField(ctx, label, value, 'is empty; WhatsApp does not send a template with an empty placeholder', itemIndex);
		return text;
	});
}

function readScheduledAt(ctx: IExecuteFunctions, itemIndex: number, timeZone: string): string | undefined {
	const value = readOption(ctx, 'scheduledAt', itemIndex, '');
	if (value === undefined || value === null || value === '') return undefined;
	const date = readDateTime(value, timeZone);
	if (!date.ok) throw invalidField(ctx, 'Scheduled At', value, date.reason, itemIndex);
	return date.iso;
}

function readThrottle(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	const value = readOption(ctx, 'throttlePerHour', itemIndex, '');
	if (value === undefined || value === null || value === '') return undefined;
	const throttle = typeof value === 'string' ? Number(value) : value;
	if (typeof throttle !== 'number' || !Number.isInteger(throttle) || throttle < THROTTLE_MIN || throttle > THROTTLE_MAX) {
		throw invalidField(ctx, 'Throttle Per Hour', value, `must be a whole number from ${THROTTLE_MIN} to ${THROTTLE_MAX}`, itemIndex);
	}
	return throttle;
}

/**
 * Reads one input item of Send to Many: the job-level fields (the same for every recipient of a
 * job; items that differ go into another job) and the item's own recipient. Throws, naming the
 * field, for a bad value.
 */
export function readRecipientItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	timeZone: string,
): { jobKey: string; fields: IDataObject; recipient: TemplateRecipient } {
	const recipient: TemplateRecipient = { phone: readPhone(ctx, 'phone', 'Phone', itemIndex) };
	const contactId = readOptionalId(ctx, 'options.contactId', 'Contact ID', itemIndex);
	if (contactId) recipient.contactId = contactId;
	const bodyParameters = readBodyParameters(ctx, itemIndex);
	if (bodyParameters) recipient.bodyParameters = bodyParameters;
	const buttonParameters = readButtonParameters(ctx, itemIndex);
	if (buttonParameters) recipient.buttonParameters = buttonParameters;

	const fields: IDataObject = {
		templateId: readRequiredId(ctx, 'templateId', 'Template ID', itemIndex),
		whatsappChannelId: readRequiredId(ctx, 'whatsappChannelId', 'WhatsApp Channel ID', itemIndex),
	};
	const wabaId = readOptionalId(ctx, 'options.templateWabaId', 'Template WABA ID', itemIndex);
	if (wabaId) fields.templateWabaId = wabaId;
	const headerMedia = readHeaderMedia(ctx, itemIndex);
	if (headerMedia) fields.headerMedia = headerMedia;
	const scheduledAt = readScheduledAt(ctx, itemIndex, timeZone);
	if (scheduledAt) fields.scheduledAt = scheduledAt;
	const throttle = readThrottle(ctx, itemIndex);
	if (throttle !== undefined) fields.throttlePerHour = throttle;
	return { jobKey: JSON.stringify(fields), fields, recipient };
}
