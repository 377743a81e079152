import type { INodeExecutionData } from 'n8n-workflow';

/**
 * The item n8n expects from a node that continues on fail: its `error` key is what routes it
 * to the error output under "Continue (using error output)".
 */
export function failedItem(error: unknown, itemIndex: number): INodeExecutionData {
	const details = error as { message?: unknown; description?: unknown; httpCode?: unknown };
	const json: INodeExecutionData['json'] = {
		error: typeof details.message === 'string' ? details.message : String(error),
	};
	if (typeof details.description === 'string' && details.description) json.description = details.description;
	if (typeof details.httpCode === 'string' && details.httpCode) json.httpCode = details.httpCode;
	return { json, pairedItem: { item: itemIndex } };
}
