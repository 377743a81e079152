import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { markMaybeSent } from './errors';

/**
 * What to say about an item the node stopped before finishing; `sent` when a request for it went
 * out, `idempotent` when sending that request again does no harm.
 */
export function stoppedItemText(
	itemIndex: number,
	sent: boolean,
	idempotent = true,
	sends = 'request',
): { message: string; description: string } {
	return sent
		? {
				message: `The execution was stopped while item ${itemIndex} was being sent to Flowella [item ${itemIndex}]`,
				description: idempotent
					? 'Flowella may or may not have received it; sending it again is safe.'
					: `The ${sends} may have been sent: check in Flowella before sending it again.`,
			}
		: {
				message: `The execution was stopped before item ${itemIndex} was sent to Flowella [item ${itemIndex}]`,
				description: 'Nothing was sent to Flowella for this item.',
			};
}

/**
 * An item the node did not finish because it stopped sending: the user pressed Stop, the
 * workflow timed out, or another item already failed the node for good.
 */
export class ItemStoppedError extends NodeOperationError {
	constructor(node: INode, itemIndex: number, sent: boolean, idempotent = true, sends?: string) {
		const { message, description } = stoppedItemText(itemIndex, sent, idempotent, sends);
		super(node, message, { itemIndex, description });
		if (sent && !idempotent) markMaybeSent(this);
	}
}

/** Aborts on Stop and when the workflow times out; older n8n contexts have no such signal. */
export function executionCancelSignal(ctx: IExecuteFunctions): AbortSignal | undefined {
	return typeof ctx.getExecutionCancelSignal === 'function' ? ctx.getExecutionCancelSignal() : undefined;
}
