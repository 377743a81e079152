import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { markMaybeSent } from './errors';

/** Why the node stopped sending: another item failed it for good (its index), or Stop / a workflow timeout. */
export interface StopReason {
	failedItem?: number;
}

/** Stops the items still running because `itemIndex` failed the node. */
export function stopBecauseItemFailed(controller: AbortController, itemIndex: number): void {
	if (!controller.signal.aborted) controller.abort({ failedItem: itemIndex } satisfies StopReason);
}

/** The item whose failure stopped the node, when that is why `signal` aborted. */
export function failedItemOf(signal: AbortSignal | undefined): number | undefined {
	const reason = signal?.aborted ? (signal.reason as StopReason | undefined) : undefined;
	return typeof reason?.failedItem === 'number' ? reason.failedItem : undefined;
}

/**
 * What to say about an item the node stopped before finishing; `sent` when a request for it may
 * have reached Flowella, `idempotent` when sending that request again does no harm, `failedItem`
 * when another item's failure stopped the node (else Stop or a workflow timeout did).
 */
export function stoppedItemText(
	itemIndex: number,
	sent: boolean,
	idempotent = true,
	sends = 'request',
	failedItem?: number,
): { message: string; description: string } {
	const why = failedItem === undefined ? 'The execution was stopped' : `The node stopped because item ${failedItem} failed`;
	return sent
		? {
				message: `${why} while item ${itemIndex} was being sent to Flowella [item ${itemIndex}]`,
				description: idempotent
					? 'Flowella may or may not have received it; sending it again is safe.'
					: `The ${sends} may have been sent: check in Flowella before sending it again.`,
			}
		: {
				message: `${why} before item ${itemIndex} was sent to Flowella [item ${itemIndex}]`,
				description: 'Nothing was sent to Flowella for this item.',
			};
}

/**
 * An item the node did not finish because it stopped sending: the user pressed Stop, the
 * workflow timed out, or another item already failed the node for good.
 */
export class ItemStoppedError extends NodeOperationError {
	constructor(node: INode, itemIndex: number, sent: boolean, idempotent = true, sends?: string, failedItem?: number) {
		const { message, description } = stoppedItemText(itemIndex, sent, idempotent, sends, failedItem);
		super(node, message, { itemIndex, description });
		if (sent && !idempotent) markMaybeSent(this);
	}
}

/** Aborts on Stop and when the workflow times out; older n8n contexts have no such signal. */
export function executionCancelSignal(ctx: IExecuteFunctions): AbortSignal | undefined {
	return typeof ctx.getExecutionCancelSignal === 'function' ? ctx.getExecutionCancelSignal() : undefined;
}
