import { sleep } from 'n8n-workflow';

/** Time as the pacer and the retry loop see it: real in n8n, virtual in deterministic tests. */
export interface Clock {
	now(): number;
	/** Resolves after `ms`, or as soon as `signal` aborts; never rejects. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * n8n-workflow 2.x's `sleep(ms, signal)` clears its timer on abort; 1.x ignores the signal.
 * Racing it against the abort event ends the wait at once on both (the node lint bans setTimeout).
 */
async function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
	if (ms <= 0 || signal?.aborted) return;
	if (!signal) return await sleep(ms);
	let onAbort = () => {};
	const aborted = new Promise<void>((resolve) => {
		onAbort = () => resolve();
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(ms, signal).catch(() => undefined), aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

export const realClock: Clock = { now: () => Date.now(), sleep: sleepUnlessAborted };
