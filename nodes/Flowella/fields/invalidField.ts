import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** A value as an error message shows it: JSON, cut at 80 characters. */
function shownValue(value: unknown): string {
	const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
	return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** Bad input: names the field, the value and the item; nothing is sent for that item. */
export function invalidField(ctx: IExecuteFunctions, label: string, value: unknown, reason: string, itemIndex: number): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `Invalid ${label} ${shownValue(value)} [item ${itemIndex}]: it ${reason}`, {
		itemIndex,
		description: `Fix the "${label}" value of item ${itemIndex}; nothing was sent to Flowella for it.`,
	});
}
