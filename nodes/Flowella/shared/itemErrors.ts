import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

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

/** Errors built here already name their item; n8n's own (an expression it could not resolve, say) get `[item N]` too. */
export function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	const nodeError =
		error instanceof NodeApiError || error instanceof NodeOperationError
			? error
			: new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
	const label = `[item ${itemIndex}]`;
	if (!nodeError.message.includes(label)) nodeError.message = `${nodeError.message} ${label}`;
	nodeError.context.itemIndex ??= itemIndex;
	return nodeError;
}
