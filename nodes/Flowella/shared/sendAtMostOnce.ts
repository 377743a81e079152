import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { FlowellaClient } from './client';
import { markMaybeSent, mayHaveBeenSent } from './errors';
import { asNodeError } from './itemErrors';

/**
 * Sends an item's request at most once across n8n's re-runs of the node (Retry On Fail): a re-run
 * gets the answer an earlier try got. For a request that is not safe to repeat (a message, a bulk
 * job), an earlier try that may have sent it without an answer gives the same error again instead
 * of a second send; only what certainly did not reach Flowella is sent again.
 */
export async function sendAtMostOnce(
	ctx: IExecuteFunctions,
	client: FlowellaClient,
	key: { itemIndex: number; body: object },
	send: () => Promise<IDataObject>,
): Promise<IDataObject> {
	const earlier = client.memo?.recall(key.itemIndex, key.body);
	if (earlier?.kind === 'answered') return earlier.row;
	if (earlier?.kind === 'maybeSent') {
		const error = new NodeOperationError(ctx.getNode(), earlier.message, {
			itemIndex: key.itemIndex,
			description: `${earlier.description ?? ''} n8n's Retry On Fail ran the node again; this was not sent again, as an earlier try may have sent it.`.trim(),
		});
		// n8n swaps a message that mentions a network code for a generic one; this one says more.
		error.message = earlier.message;
		throw markMaybeSent(error);
	}
	try {
		const answer = await send();
		client.memo?.remember(key.itemIndex, key.body, answer);
		return answer;
	} catch (caught) {
		const error = asNodeError(ctx, caught, key.itemIndex);
		if (mayHaveBeenSent(error)) client.memo?.rememberMaybeSent(key.itemIndex, key.body, error);
		throw error;
	}
}
