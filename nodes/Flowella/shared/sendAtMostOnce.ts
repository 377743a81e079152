import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { FlowellaClient } from './client';
import { markMaybeSent, mayHaveBeenSent } from './errors';
import { asNodeError } from './itemErrors';
import type { RememberedOutcome } from './rerunMemo';

/** The error an earlier try ended with, for an item it may have sent: given again, not sent again. */
function maybeSentAgain(ctx: IExecuteFunctions, itemIndex: number, earlier: Extract<RememberedOutcome, { kind: 'maybeSent' }>) {
	const error = new NodeOperationError(ctx.getNode(), earlier.message, {
		itemIndex,
		description: `${earlier.description ?? ''} n8n's Retry On Fail ran the node again; this was not sent again, as an earlier try may have sent it.`.trim(),
	});
	// n8n swaps a message that mentions a network code for a generic one; this one says more.
	error.message = earlier.message;
	return markMaybeSent(error);
}

/**
 * An earlier try's outcome for an item (n8n's Retry On Fail re-runs the node with the same items),
 * as the operation returns it: the answer, or, for one it may have sent, the same error again.
 * Looked up by the item before any field is read, so a field whose expression gives something new
 * on each try ($now, Math.random()) never makes a second request.
 */
export function replayOutcome(ctx: IExecuteFunctions, itemIndex: number, earlier: RememberedOutcome): IDataObject {
	if (earlier.kind === 'answered') return earlier.row;
	throw maybeSentAgain(ctx, itemIndex, earlier);
}

/**
 * Sends the request that carries `items` (one item, or a bulk job's recipients, the first being
 * `itemIndex`) and remembers the outcome for n8n's re-runs of the node: the answer, or, for a
 * request that is not safe to repeat, an error after which it may have been sent. Only what
 * certainly did not reach Flowella is sent again on a re-run.
 */
export async function sendAtMostOnce(
	ctx: IExecuteFunctions,
	client: FlowellaClient,
	key: { itemIndex: number; items?: number[] },
	send: () => Promise<IDataObject>,
): Promise<IDataObject> {
	const items = key.items ?? [key.itemIndex];
	try {
		const answer = await send();
		client.memo?.remember(items, answer);
		return answer;
	} catch (caught) {
		const error = asNodeError(ctx, caught, key.itemIndex);
		if (mayHaveBeenSent(error)) client.memo?.rememberMaybeSent(items, error);
		throw error;
	}
}
