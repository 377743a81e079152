import type { IExecuteFunctions } from 'n8n-workflow';

import { invalidField } from './invalidField';

/**
 * A free-text parameter of one item, as written (a number from a sheet becomes its text), at
 * most `maxLength` characters; empty when not set. A bad one fails the item, naming the field.
 */
export function readLimitedText(ctx: IExecuteFunctions, parameter: string, label: string, itemIndex: number, maxLength: number): string {
	const value = ctx.getNodeParameter(parameter, itemIndex, '');
	if (value === undefined || value === null) return '';
	const text = typeof value === 'number' ? String(value) : value;
	if (typeof text !== 'string') throw invalidField(ctx, label, value, 'must be text', itemIndex);
	if (text.length > maxLength) {
		throw invalidField(ctx, label, value, `is ${text.length} characters long; Flowella accepts at most ${maxLength}`, itemIndex);
	}
	return text;
}
