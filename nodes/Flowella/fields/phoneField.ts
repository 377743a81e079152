import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { invalidField } from './invalidField';
import { readOption } from './options';
import { isValidCountryCode, normalizePhone } from './phone';

/** Options → Default Country Code: the same field for every operation that takes a phone number. */
export const defaultCountryCodeOption: INodeProperties = {
	displayName: 'Default Country Code',
	name: 'defaultCountryCode',
	type: 'string',
	default: '',
	placeholder: 'e.g. 34',
	description:
		'Country calling code (digits only) for phone numbers written without + or 00. Its trunk prefix (0 in most countries) is dropped; digits that already start with the code are kept when too long to be national.',
};

/** How every phone field is described: what it is for, then what the node cleans up, so nobody does it by hand first. */
export function phoneDescription(purpose: string): string {
	return `${purpose} Spacing is removed, a leading 00 becomes + and (0) after the country code is dropped; a number that does not fit its country is refused.`;
}

/** A required phone number field (Phone, To) of one operation. */
export function phoneField(name: string, displayName: string, purpose: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. +34612345678',
		description: phoneDescription(purpose),
	};
}

/** Options → Default Country Code of one item, without a leading +; empty when not set. */
function readDefaultCountryCode(ctx: IExecuteFunctions, itemIndex: number): string {
	const code = String(readOption(ctx, 'defaultCountryCode', itemIndex, '') ?? '')
		.trim()
		.replace(/^\+/, '');
	if (code !== '' && !isValidCountryCode(code)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid Default Country Code "${code}" [item ${itemIndex}]: it is not a country calling code; use its digits, such as 34 for Spain or 1 for the US`,
			{ itemIndex },
		);
	}
	return code;
}

/** Every phone field's reader: the item's value in E.164, under its Default Country Code; a bad one fails the item, naming the field. */
export function readPhone(ctx: IExecuteFunctions, parameter: string, label: string, itemIndex: number): string {
	const value = ctx.getNodeParameter(parameter, itemIndex, '');
	const phone = normalizePhone(value, readDefaultCountryCode(ctx, itemIndex));
	if (!phone.ok) throw invalidField(ctx, label, value, phone.reason, itemIndex);
	return phone.phone;
}
