import type { INodeExecutionData } from 'n8n-workflow';

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
