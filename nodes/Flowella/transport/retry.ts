import type { INode } from 'n8n-workflow';

export interface RetryPolicy {
	/** Attempts per request, the first one included. */
	maxAttempts: number;
	/** Wait before the first retry; it doubles for each further one. */
	baseWaitMs: number;
}

// The longest pause a Retry-After header can impose on one request.
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Reads the node's own "Retry On Fail" settings, clamped exactly as n8n's WorkflowExecute
 * clamps them (tries 2–5, default 3; wait 0–5000 ms, where 0 or empty means 1000).
 */
export function retryPolicyFromNode(node: Pick<INode, 'retryOnFail' | 'maxTries' | 'waitBetweenTries'>): RetryPolicy {
	if (node.retryOnFail !== true) return { maxAttempts: 1, baseWaitMs: 0 };
	return {
		maxAttempts: Math.min(5, Math.max(2, node.maxTries || 3)),
		baseWaitMs: Math.min(5000, Math.max(0, node.waitBetweenTries || 1000)),
	};
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim();
	if (text === '') return undefined;
	let waitMs: number;
	if (/^\d+(\.\d+)?$/.test(text)) {
		waitMs = Number(text) * 1000;
	} else {
		// An HTTP date always names its weekday and month; this keeps "-1" and the like out.
		const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
		if (Number.isNaN(date)) return undefined;
		waitMs = date - now;
	}
	return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.ceil(waitMs)));
}

/** Wait before retry number `retry` (1 for the first retry). */
export function backoffMs(policy: RetryPolicy, retry: number, serverWaitMs?: number): number {
	const exponential = policy.baseWaitMs * 2 ** Math.max(0, retry - 1);
	return Math.min(MAX_RETRY_AFTER_MS, Math.max(exponential, serverWaitMs ?? 0));
}
