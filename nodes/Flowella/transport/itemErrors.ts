import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

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

/**
 * The item n8n expects from a node that continues on fail: `error` says what went wrong and
 * names the item, `message` says what to do. n8n routes an item to the error output under
 * "Continue (using error output)" only when its json holds nothing but these keys (n8n 1.x
 * accepts exactly `error`, or `error` and `message`), and then merges in the input row.
 */
export function failedItem(error: unknown, itemIndex: number): INodeExecutionData {
	const source = error as { message?: unknown; description?: unknown };
	const json: INodeExecutionData['json'] = {
		error: typeof source.message === 'string' ? source.message : String(error),
	};
	if (typeof source.description === 'string' && source.description) json.message = source.description;
	return { json, pairedItem: { item: itemIndex } };
}
