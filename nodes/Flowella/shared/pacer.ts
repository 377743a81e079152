import { sleep } from 'n8n-workflow';

export type RequestOutcome = 'success' | 'rateLimited' | 'failure';

// How far below the measured successful rate to settle after a 429: close enough to use the
// limit, low enough that the server's bucket refills between probes.
const RATE_BACKOFF = 0.9;
// Successes counted to measure the rate the server actually allows.
const RATE_WINDOW_MS = 3000;
const MIN_RATE_PER_SEC = 0.5;

/**
 * Paces one execution's requests so they settle just under Flowella's rate limit.
 *
 * - At most `liveConcurrency` requests are in flight; it halves on a 429 and grows back by
 *   one for every `liveConcurrency` successes (additive increase, multiplicative decrease).
 * - After the first 429, request starts are also spaced to a rate measured from the
 *   successes of the last few seconds, which then grows by about one request per second
 *   each second while the server keeps saying yes.
 * - A 429's wait (Retry-After or back-off) is one pause shared by every request, in flight
 *   or queued, instead of each request sleeping on its own.
 * Memory is bounded by the concurrency, not by the number of items.
 */
export class RequestPacer {
	private liveConcurrency: number;

	private inFlight = 0;

	private ratePerSec = Number.POSITIVE_INFINITY;

	private nextStartAt = 0;

	private pausedUntil = 0;

	private readonly waitingForSlot: Array<() => void> = [];

	private turn: Promise<void> = Promise.resolve();

	// Ring buffer of recent success times, for the rate measurement.
	private readonly successTimes: number[] = [];

	private successCursor = 0;

	private startedAt = Date.now();

	constructor(private readonly maxConcurrency: number) {
		this.liveConcurrency = maxConcurrency;
	}

	get concurrency(): number {
		return Math.floor(this.liveConcurrency);
	}

	get rate(): number {
		return this.ratePerSec;
	}

	/** Waits for a free slot, the end of any shared pause, and this request's start time. */
	async acquire(): Promise<void> {
		// Requests take turns, so start times are handed out in arrival order.
		const myTurn = this.turn.then(async () => {
			while (this.inFlight >= this.concurrency) {
				await new Promise<void>((resolve) => this.waitingForSlot.push(resolve));
			}
			this.inFlight += 1;
			for (;;) {
				const now = Date.now();
				const startAt = Math.max(this.pausedUntil, this.nextStartAt);
				if (startAt <= now) break;
				await sleep(startAt - now);
			}
			const interval = Number.isFinite(this.ratePerSec) ? 1000 / this.ratePerSec : 0;
			this.nextStartAt = Math.max(Date.now(), this.nextStartAt) + interval;
		});
		this.turn = myTurn;
		await myTurn;
	}

	/** Frees the slot taken by `acquire` and adapts to how the request went. */
	release(outcome: RequestOutcome): void {
		this.inFlight -= 1;
		const now = Date.now();
		if (outcome === 'success') {
			this.recordSuccess(now);
			this.liveConcurrency = Math.min(this.maxConcurrency, this.liveConcurrency + 1 / this.liveConcurrency);
			if (Number.isFinite(this.ratePerSec)) this.ratePerSec += 1 / Math.max(1, this.ratePerSec);
		} else if (outcome === 'rateLimited') {
			this.liveConcurrency = Math.max(1, this.liveConcurrency / 2);
			this.ratePerSec = Math.max(MIN_RATE_PER_SEC, Math.min(this.ratePerSec, this.measuredRate(now)) * RATE_BACKOFF);
		}
		this.waitingForSlot.shift()?.();
	}

	/** Holds every request that has not started yet until `waitMs` from now. */
	pause(waitMs: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, Date.now() + waitMs);
	}

	private recordSuccess(now: number): void {
		const capacity = 256;
		if (this.successTimes.length < capacity) this.successTimes.push(now);
		else this.successTimes[this.successCursor] = now;
		this.successCursor = (this.successCursor + 1) % capacity;
	}

	private measuredRate(now: number): number {
		const windowMs = Math.max(1000, Math.min(RATE_WINDOW_MS, now - this.startedAt));
		const recent = this.successTimes.filter((time) => now - time <= windowMs).length;
		return Math.max(MIN_RATE_PER_SEC, (recent * 1000) / windowMs);
	}
}
