import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

interface Remembered {
	expiresAt: number;
	answers: Map<number, { body: string; row: IDataObject }>;
}

// A few executions' worth is plenty: n8n re-runs a node straight after it fails.
const MAX_REMEMBERED_RUNS = 8;
const REMEMBER_FOR_MS = 15 * 60_000;
const remembered = new Map<string, Remembered>();

export interface RerunMemo {
	recall(itemIndex: number, body: object): IDataObject | undefined;
	remember(itemIndex: number, body: object, row: IDataObject): void;
	/** Called with the node's output when it returns; not called when it throws. */
	finish(output: INodeExecutionData[]): void;
}

/**
 * With Retry On Fail on, n8n re-runs the whole node when it throws, and also when it returns
 * an error item first (On Error = Continue). This remembers, for that one execution and node
 * only, which items already reached Flowella, so a re-run does not send them again. Nothing
 * outlives the execution's retries.
 */
export function openRerunMemo(ctx: IExecuteFunctions): RerunMemo | undefined {
	const node = ctx.getNode();
	if (node.retryOnFail !== true) return undefined;

	const now = Date.now();
	for (const [key, entry] of remembered) if (entry.expiresAt < now) remembered.delete(key);
	// A failure that outlasts n8n's re-runs stops the execution, so no later run of the node can see this.
	const key = `${ctx.getExecutionId()}\u0000${node.id}\u0000${node.name}`;
	let entry = remembered.get(key);
	if (!entry) {
		entry = { expiresAt: now + REMEMBER_FOR_MS, answers: new Map() };
		remembered.set(key, entry);
		if (remembered.size > MAX_REMEMBERED_RUNS) remembered.delete(remembered.keys().next().value as string);
	}
	const { answers } = entry;
	return {
		recall(itemIndex, body) {
			const answer = answers.get(itemIndex);
			return answer && answer.body === JSON.stringify(body) ? answer.row : undefined;
		},
		remember(itemIndex, body, row) {
			answers.set(itemIndex, { body: JSON.stringify(body), row });
		},
		finish(output) {
			// n8n re-runs the node only when the first item is an error: then the answers are still needed.
			if (output[0]?.json.error === undefined) remembered.delete(key);
		},
	};
}
