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

/**
 * The one cancel carrier of an execution of the node. Its signal, handed to every wait and request,
 * aborts on Stop, on a workflow timeout, and when an item fails the node (On Error = Stop
 * Workflow). Only the first two cancel the execution: after an item's failure n8n may still
 * re-run the node (Retry On Fail), so what it remembers for that is kept.
 */
export class Cancellation {
	private readonly controller = new AbortController();
	private readonly onExecutionCancelled = () => this.controller.abort();

	constructor(private readonly execution?: AbortSignal) {
		if (execution?.aborted) this.controller.abort();
		else execution?.addEventListener('abort', this.onExecutionCancelled, { once: true });
	}

	/** Aborts when no new request should start: Stop, a workflow timeout, or an item failed the node. */
	get signal(): AbortSignal {
		return this.controller.signal;
	}

	/** Whether Stop or a workflow timeout ended the execution. */
	get cancelled(): boolean {
		return this.execution?.aborted === true;
	}

	/**
	 * Calls `listener` once when Stop or a workflow timeout ends the execution, even after this
	 * try of the node is over (n8n's re-run memo lives across tries); returns how to stop listening.
	 */
	onCancelled(listener: () => void): () => void {
		const execution = this.execution;
		if (!execution) return () => {};
		if (execution.aborted) {
			listener();
			return () => {};
		}
		execution.addEventListener('abort', listener, { once: true });
		return () => execution.removeEventListener('abort', listener);
	}

	/** Stops the items still running because `itemIndex` failed the node. */
	stopBecauseItemFailed(itemIndex: number): void {
		stopBecauseItemFailed(this.controller, itemIndex);
	}

	/** This try of the node is over: its own signal no longer follows n8n's. */
	dispose(): void {
		this.execution?.removeEventListener('abort', this.onExecutionCancelled);
	}
}

/** Stop and workflow timeouts reach the node through n8n's signal; older n8n contexts have none. */
export function cancellationFor(ctx: IExecuteFunctions): Cancellation {
	return new Cancellation(typeof ctx.getExecutionCancelSignal === 'function' ? ctx.getExecutionCancelSignal() : undefined);
}
