import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { Cancellation } from './cancel';
import type { Clock } from './clock';
import { realClock } from './clock';
import { markMaybeSent } from './errors';
import { retryPolicyFromNode } from './retry';

/**
 * What an earlier try of the node got for an item: Flowella's answer, or an error after which it
 * may have been sent. `items` are all the items that one request carried (a bulk job's recipients).
 */
export type RememberedOutcome = ({ kind: 'answered'; row: IDataObject } | { kind: 'maybeSent'; message: string; description?: string }) & {
	items: number[];
};

interface RememberedRun {
	/** How many times n8n has started the node for this run so far. */
	tries: number;
	answers: Map<number, RememberedOutcome>;
	/** When the last try ended, while n8n may still re-run the node; unset while a try runs. */
	idleSince?: number;
	/** Stops listening for Stop or a workflow timeout, which free this run. */
	stopListening?: () => void;
	finishHooked?: boolean;
}

// Only a safety net, for a re-run that never comes: n8n starts the next try at most 5 s after a
// try ends, and the node frees a run itself after its last try, a success, Stop or a timeout.
export const IDLE_EXPIRY_MS = 30 * 60_000;

export interface RerunMemo {
	/**
	 * What an earlier try got for this item, if anything, whatever its fields evaluate to now: n8n
	 * evaluates expressions again on each try ($now, Math.random()), but hands the node the same items.
	 */
	recall(itemIndex: number): RememberedOutcome | undefined;
	/** Flowella's answer to the request that carried these items. */
	remember(items: number[], row: IDataObject): void;
	/** A request that is not safe to repeat failed in a way that may have sent it: a re-run must not send it again. */
	rememberMaybeSent(items: number[], error: { message: string; description?: string | null }): void;
	/** Ends this try: with the node's output when it returns, without when it throws. */
	close(output?: INodeExecutionData[]): void;
}


/**
 * Identifies one run of the node: the execution, the node and n8n's run index, which n8n keeps
 * for its own re-runs (Retry On Fail) and moves on for any later run of the node (a loop, Loop
 * Over Items, a resumed Wait). None when n8n runs the node as an agent's tool: it gives each of
 * those tries a run index of its own.
 */
function runKey(ctx: IExecuteFunctions): string | undefined {
	const asTool =
		(typeof ctx.isToolExecution === 'function' && ctx.isToolExecution()) ||
		ctx.getInputData(0, NodeConnectionTypes.Main).length === 0;
	if (asTool) return undefined;
	const executionId = ctx.getExecutionId();
	let runIndex: unknown;
	try {
		runIndex = ctx.getWorkflowDataProxy(0).$runIndex;
	} catch {
		return undefined;
	}
	if (!executionId || typeof runIndex !== 'number') return undefined;
	const node = ctx.getNode();
	return [executionId, node.id, node.name, runIndex].join('\u0000');
}

/** Whether n8n re-runs a node that returned this (its first item is an error; n8n 2.x also skips null). */
function makesN8nRerun(output: INodeExecutionData[]): boolean {
	return output[0]?.json.error !== undefined;
}

/**
 * With Retry On Fail on, n8n re-runs the whole node, up to Max. Tries runs, when it throws or
 * when its first item is an error (On Error = Continue), with the same run index. This remembers,
 * for that one run of the node, which items already reached Flowella, so a re-run does not send
 * them again. It lives exactly as long as n8n can still re-run the node: it is freed after the
 * last try, after a try n8n does not follow with another, and on Stop or a workflow timeout.
 */
export class RerunMemos {
	private readonly remembered = new Map<string, RememberedRun>();

	constructor(private readonly clock: Clock = realClock) {}

	/** How many runs of the node are remembered at the moment. */
	get size(): number {
		return this.remembered.size;
	}

	private forget(key: string, run: RememberedRun): void {
		if (this.remembered.get(key) === run) this.remembered.delete(key);
		run.answers.clear();
		run.stopListening?.();
		run.stopListening = undefined;
	}

	/** The memo of this try's run of the node; none when Retry On Fail is off or the run has no key. */
	open(ctx: IExecuteFunctions, cancellation: Cancellation): RerunMemo | undefined {
		const node = ctx.getNode();
		if (node.retryOnFail !== true) return undefined;
		const now = this.clock.now();
		for (const [key, run] of this.remembered) {
			if (run.idleSince !== undefined && now - run.idleSince > IDLE_EXPIRY_MS) this.forget(key, run);
		}
		const key = runKey(ctx);
		if (key === undefined || cancellation.cancelled) return undefined;

		let run = this.remembered.get(key);
		if (!run) {
			run = { tries: 0, answers: new Map() };
			this.remembered.set(key, run);
		}
		const current = run;
		current.tries += 1;
		current.idleSince = undefined;
		// Max. Tries clamped as n8n clamps it for its own re-runs (2–5, default 3).
		const lastTry = current.tries >= retryPolicyFromNode(node).maxAttempts;
		current.stopListening ??= cancellation.onCancelled(() => this.forget(key, current));

		const keep = (outcome: RememberedOutcome) => {
			// Nothing can use it after the last try.
			if (lastTry || this.remembered.get(key) !== current) return;
			for (const itemIndex of outcome.items) current.answers.set(itemIndex, outcome);
		};
		return {
			recall(itemIndex) {
				return current.answers.get(itemIndex);
			},
			remember(items, row) {
				keep({ kind: 'answered', row, items });
			},
			rememberMaybeSent(items, { message, description }) {
				keep({ kind: 'maybeSent', message, description: description ?? undefined, items });
			},
			close: (output) => {
				if (lastTry || cancellation.cancelled || (output !== undefined && !makesN8nRerun(output))) {
					this.forget(key, current);
					return;
				}
				current.idleSince = this.clock.now();
				// Where n8n offers it (2.x), the end of the execution frees it too.
				if (!current.finishHooked && typeof ctx.onExecutionFinish === 'function') {
					current.finishHooked = true;
					ctx.onExecutionFinish(() => this.forget(key, current));
				}
			},
		};
	}
}

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
