import type { Clock } from './clock';
import { realClock } from './clock';

export type RequestOutcome = 'success' | 'rateLimited' | 'failure';

// After a 429, requests are spaced to this share of the rate that was getting through.
const RATE_DECREASE = 0.85;
// Until the second 429 the ceiling is unknown: every success raises the rate by this many
// requests per second (about +50% a second). After it, growth is about +1 request/s a second.
const SLOW_START_STEP = 0.5;
const RATE_WINDOW_MS = 2000;
const MIN_RATE_PER_SEC = 0.5;
const SUCCESS_HISTORY = 512;

/**
 * Paces one execution's requests so they settle just under Flowella's rate limit, whose
 * numbers are not published. TCP-style: additive increase, multiplicative decrease.
 *
 * - At most `liveConcurrency` requests are in flight. It halves on a 429 and grows back by
 *   one for every `liveConcurrency` successes.
 * - Before any 429 request starts are not spaced. The first 429 sets a rate from the
 *   successes of the last seconds; it grows quickly until the next 429, then slowly.
 * - A 429's wait (Retry-After, or the back-off without it) is one pause shared by every
 *   request that has not started yet, instead of each request sleeping on its own.
 * - 429s answering requests sent before the last slow-down count as one event, not many.
 * Memory is bounded by the concurrency, not by the number of items.
 */
export class RequestPacer {
	private liveConcurrency: number;

	private inFlight = 0;

	private ratePerSec = Number.POSITIVE_INFINITY;

	// True until the second 429: the rate then grows fast, afterwards slowly.
	private slowStart = true;

	private nextStartAt = 0;

	private pausedUntil = 0;

	private slowedDownAt = 0;

	private readonly startedAt: number;

	private readonly waitingForSlot: Array<() => void> = [];

	private turn: Promise<void> = Promise.resolve();

	private readonly successTimes: number[] = [];

	private successCursor = 0;

	constructor(
		private readonly maxConcurrency: number,
		private readonly clock: Clock = realClock,
	) {
		this.liveConcurrency = maxConcurrency;
		this.startedAt = clock.now();
	}

	get concurrency(): number {
		return Math.floor(this.liveConcurrency);
	}

	/**
	 * Waits for a free slot, the end of any shared pause and this request's start time; returns
	 * that time. Returns undefined, holding no slot, when `signal` aborts first.
	 */
	async acquire(signal?: AbortSignal): Promise<number | undefined> {
		// Requests take turns, so start times are handed out in arrival order.
		const myTurn = this.turn.then(async () => {
			while (this.inFlight >= this.concurrency) {
				if (signal?.aborted) return undefined;
				await this.slotFreed(signal);
			}
			for (;;) {
				if (signal?.aborted) return undefined;
				const waitMs = Math.max(this.pausedUntil, this.nextStartAt) - this.clock.now();
				if (waitMs <= 0) break;
				await this.clock.sleep(waitMs, signal);
			}
			this.inFlight += 1;
			const now = this.clock.now();
			const interval = Number.isFinite(this.ratePerSec) ? 1000 / this.ratePerSec : 0;
			this.nextStartAt = Math.max(now, this.nextStartAt) + interval;
			return now;
		});
		this.turn = myTurn.then(() => undefined);
		return await myTurn;
	}

	private async slotFreed(signal?: AbortSignal): Promise<void> {
		await new Promise<void>((resolve) => {
			const onAbort = () => {
				const index = this.waitingForSlot.indexOf(wake);
				if (index >= 0) this.waitingForSlot.splice(index, 1);
				resolve();
			};
			const wake = () => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			};
			this.waitingForSlot.push(wake);
			signal?.addEventListener('abort', onAbort, { once: true });
		});
	}

	/** Frees the slot of a request that started at `startedAt` and adapts to how it went. */
	release(outcome: RequestOutcome, startedAt: number): void {
		this.inFlight -= 1;
		const now = this.clock.now();
		if (outcome === 'success') {
			this.recordSuccess(now);
			this.liveConcurrency = Math.min(this.maxConcurrency, this.liveConcurrency + 1 / this.liveConcurrency);
			if (Number.isFinite(this.ratePerSec)) {
				this.ratePerSec += this.slowStart ? SLOW_START_STEP : 1 / this.ratePerSec;
			}
		} else if (outcome === 'rateLimited' && startedAt >= this.slowedDownAt) {
			this.slowDown(now);
		}
		this.waitingForSlot.shift()?.();
	}

	/** Holds every request that has not started yet until `waitMs` from now. */
	pause(waitMs: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + waitMs);
	}

	private slowDown(now: number): void {
		this.slowedDownAt = now;
		this.liveConcurrency = Math.max(1, this.liveConcurrency / 2);
		const measured = this.measuredRate(now);
		if (Number.isFinite(this.ratePerSec)) {
			this.ratePerSec = Math.min(this.ratePerSec, measured) * RATE_DECREASE;
			this.slowStart = false;
		} else {
			this.ratePerSec = measured;
		}
		this.ratePerSec = Math.max(MIN_RATE_PER_SEC, this.ratePerSec);
	}

	private recordSuccess(now: number): void {
		if (this.successTimes.length < SUCCESS_HISTORY) this.successTimes.push(now);
		else this.successTimes[this.successCursor] = now;
		this.successCursor = (this.successCursor + 1) % SUCCESS_HISTORY;
	}

	/** Successes per second over the last couple of seconds (at least one second's worth). */
	private measuredRate(now: number): number {
		const windowMs = Math.max(1000, Math.min(RATE_WINDOW_MS, now - this.startedAt));
		let recent = 0;
		for (const time of this.successTimes) if (now - time <= windowMs) recent += 1;
		return (recent * 1000) / windowMs;
	}
}
