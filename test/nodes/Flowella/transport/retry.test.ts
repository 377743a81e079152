import { backoffMs, MAX_RETRY_AFTER_MS, retryAfterMs, retryPolicyFromNode } from '../../../../nodes/Flowella/transport/retry';

describe('retryPolicyFromNode', () => {
	it('makes one attempt when Retry On Fail is off', () => {
		expect(retryPolicyFromNode({ retryOnFail: false, maxTries: 5, waitBetweenTries: 10 })).toEqual({
			maxAttempts: 1,
			baseWaitMs: 0,
		});
		expect(retryPolicyFromNode({})).toEqual({ maxAttempts: 1, baseWaitMs: 0 });
	});

	it.each([
		[undefined, undefined, 3, 1000],
		[0, 0, 3, 1000],
		[1, 1, 2, 1],
		[4, 250, 4, 250],
		[9, 99999, 5, 5000],
		[-3, -5, 2, 0],
	])('clamps maxTries %p and waitBetweenTries %p like n8n does', (maxTries, waitBetweenTries, attempts, wait) => {
		expect(retryPolicyFromNode({ retryOnFail: true, maxTries, waitBetweenTries })).toEqual({
			maxAttempts: attempts,
			baseWaitMs: wait,
		});
	});
});

describe('retryAfterMs', () => {
	const now = Date.parse('2026-11-25T10:00:00Z');

	it.each([
		['2', 2000],
		['0', 0],
		['1.5', 1500],
		[' 3 ', 3000],
		[4, 4000],
		[['5'], 5000],
		['Wed, 25 Nov 2026 10:00:07 GMT', 7000],
		['Wed, 25 Nov 2026 09:59:00 GMT', 0],
		['86400', MAX_RETRY_AFTER_MS],
	])('reads %j as %d ms', (header, expected) => {
		expect(retryAfterMs(header, now)).toBe(expected);
	});

	it.each([[undefined], [''], ['soon'], ['-1'], [null], [{}]])('ignores %j', (header) => {
		expect(retryAfterMs(header, now)).toBeUndefined();
	});
});

describe('backoffMs', () => {
	const policy = { maxAttempts: 5, baseWaitMs: 1000 };

	it('doubles the wait for each retry', () => {
		expect([1, 2, 3, 4].map((retry) => backoffMs(policy, retry))).toEqual([1000, 2000, 4000, 8000]);
	});

	it('waits at least as long as the server asked', () => {
		expect(backoffMs(policy, 1, 7000)).toBe(7000);
		expect(backoffMs(policy, 3, 100)).toBe(4000);
	});

	it('never waits longer than the cap', () => {
		expect(backoffMs({ maxAttempts: 5, baseWaitMs: 5000 }, 20)).toBe(MAX_RETRY_AFTER_MS);
	});
});
