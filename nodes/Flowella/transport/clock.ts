import { sleep } from 'n8n-workflow';

/** Time as the pacer and the retry loop see it: real in n8n, virtual in deterministic tests. */
export interface Clock {
	/** Milliseconds on a clock that only moves forward: only differences between two readings mean anything. */
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

// Monotonic: a system clock set back an hour (NTP, a VM resumed) must not make the next request
// wait an hour. Wall time (Date.now) is only for HTTP dates, as in a Retry-After (retry.ts).
export const realClock: Clock = { now: () => performance.now(), sleep: sleepUnlessAborted };
