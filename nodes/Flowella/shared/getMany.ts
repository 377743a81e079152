import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { FlowellaClient } from './client';
import { DEFAULT_LIMIT } from './descriptions';
import { asNodeError, invalidField } from './itemErrors';
import { readTimeout } from './options';
import { PaginationError, readList } from './paginate';

/**
 * A Get Many operation for one item: Return All follows the cursor to the end, Limit reads no
 * more than it needs. Every page goes through the pacer and the retries (a read is safe to repeat).
 */
export async function getMany(
	ctx: IExecuteFunctions,
	client: FlowellaClient,
	{ itemIndex, signal, path, qs = {} }: { itemIndex: number; signal: AbortSignal; path: string; qs?: IDataObject },
): Promise<IDataObject[]> {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) === true;
	let limit: number | undefined;
	if (!returnAll) {
		const value = ctx.getNodeParameter('limit', itemIndex, DEFAULT_LIMIT);
		if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
			throw invalidField(ctx, 'Limit', value, 'must be a whole number of at least 1', itemIndex);
		}
		limit = value;
	}
	const timeoutMs = readTimeout(ctx, itemIndex);
	try {
		const items = await readList(
			async (page) =>
				await client.request({ method: 'GET', path, qs: { ...qs, ...page }, idempotent: true, itemIndex, signal, timeoutMs }),
			limit,
		);
		return items as IDataObject[];
	} catch (error) {
		// Errors from a page's request already are node errors naming the item.
		if (!(error instanceof PaginationError)) throw asNodeError(ctx, error, itemIndex);
		throw new NodeOperationError(ctx.getNode(), `${error.message} [item ${itemIndex}]`, {
			itemIndex,
			description: 'Nothing was changed in Flowella. Try again later; if it keeps happening, tell Flowella support.',
		});
	}
}
