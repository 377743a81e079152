import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { Clock } from './clock';
import { realClock } from './clock';
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
	/** Frees this run on Stop or a workflow timeout. */
	onCancel?: () => void;
	cancelSignal?: AbortSignal;
	finishHooked?: boolean;
}

// Only a safety net, for a re-run that never comes: n8n starts the next try at most 5 s after a
// try ends, and the node frees a run itself after its last try, a success, Stop or a timeout.
const IDLE_EXPIRY_MS = 30 * 60_000;
const remembered = new Map<string, RememberedRun>();

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

/** How many runs of the node are remembered at the moment (all of them in this process). */
export function rememberedRunCount(): number {
	return remembered.size;
}

function forget(key: string, run: RememberedRun): void {
	if (remembered.get(key) === run) remembered.delete(key);
	run.answers.clear();
	if (run.onCancel) run.cancelSignal?.removeEventListener('abort', run.onCancel);
	run.onCancel = undefined;
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
export function openRerunMemo(ctx: IExecuteFunctions, cancelSignal?: AbortSignal, clock: Clock = realClock): RerunMemo | undefined {
	const node = ctx.getNode();
	if (node.retryOnFail !== true) return undefined;
	const now = clock.now();
	for (const [key, run] of remembered) {
		if (run.idleSince !== undefined && now - run.idleSince > IDLE_EXPIRY_MS) forget(key, run);
	}
	const key = runKey(ctx);
	if (key === undefined || cancelSignal?.aborted) return undefined;

	let run = remembered.get(key);
	if (!run) {
		run = { tries: 0, answers: new Map() };
		remembered.set(key, run);
	}
	const current = run;
	current.tries += 1;
	current.idleSince = undefined;
	// Max. Tries clamped as n8n clamps it for its own re-runs (2–5, default 3).
	const lastTry = current.tries >= retryPolicyFromNode(node).maxAttempts;
	if (cancelSignal && !current.onCancel) {
		current.onCancel = () => forget(key, current);
		current.cancelSignal = cancelSignal;
		cancelSignal.addEventListener('abort', current.onCancel, { once: true });
	}

	const keep = (outcome: RememberedOutcome) => {
		// Nothing can use it after the last try.
		if (lastTry || remembered.get(key) !== current) return;
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
		close(output) {
			if (lastTry || cancelSignal?.aborted || (output !== undefined && !makesN8nRerun(output))) {
				forget(key, current);
				return;
			}
			current.idleSince = clock.now();
			// Where n8n offers it (2.x), the end of the execution frees it too.
			if (!current.finishHooked && typeof ctx.onExecutionFinish === 'function') {
				current.finishHooked = true;
				ctx.onExecutionFinish(() => forget(key, current));
			}
		},
	};
}
