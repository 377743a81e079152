import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

/**
 * The item n8n expects from a node that continues on fail. Only the keys `error`, `message`
 * and `details` may be used: with "Continue (using error output)" n8n routes an item to the
 * error output only when its json holds nothing else.
 */
export function failedItem(error: unknown, itemIndex: number): INodeExecutionData {
	const source = error as { message?: unknown; description?: unknown; httpCode?: unknown };
	const details: IDataObject = { itemIndex };
	if (typeof source.description === 'string' && source.description) details.description = source.description;
	if (typeof source.httpCode === 'string' && source.httpCode) details.httpCode = source.httpCode;
	return {
		json: { error: typeof source.message === 'string' ? source.message : String(error), details },
		pairedItem: { item: itemIndex },
	};
}
