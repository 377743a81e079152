import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** What to say about an item the node stopped before finishing; `sent` when a request for it went out. */
export function stoppedItemText(itemIndex: number, sent: boolean): { message: string; description: string } {
	return sent
		? {
				message: `The execution was stopped while item ${itemIndex} was being sent to Flowella [item ${itemIndex}]`,
				description: 'Flowella may or may not have saved this item; sending it again is safe.',
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
	constructor(node: INode, itemIndex: number, sent: boolean) {
		const { message, description } = stoppedItemText(itemIndex, sent);
		super(node, message, { itemIndex, description });
	}
}

/** Aborts on Stop and when the workflow times out; older n8n contexts have no such signal. */
export function executionCancelSignal(ctx: IExecuteFunctions): AbortSignal | undefined {
	return typeof ctx.getExecutionCancelSignal === 'function' ? ctx.getExecutionCancelSignal() : undefined;
}
