import { createHash } from 'crypto';

import type { Clock } from './clock';
import { realClock } from './clock';

export type RequestOutcome = 'success' | 'rateLimited' | 'failure';

// Requests in flight before anything is known about the limit (the default Parallel Requests,
// all in one tick); one more per success after that, up to Parallel Requests.
const INITIAL_WINDOW = 5;
// The first rate tried after the first 429 when nothing better is known (requests per second).
const START_RATE = 25;
const MIN_RATE = 0.2;
// Until a 429 bounds the rate from above, each success raises it by up to PROBE_GAIN, and by no
// more than 1.5× per round trip (what one round trip sends is out before a 429 can answer it).
// A large bucket hides the limit until it has emptied: the rate stays within PROBE_CAP times the
// lower bound while 429s are recent.
const PROBE_GAIN = 0.15;
const PROBE_CAP = 2;
// Between the bounds the rate tried is their geometric middle, but at most STEP above the lower
// one; once they are within PRECISION of each other the rate stays at the lower bound.
const STEP = 0.2;
const PRECISION = 0.03;
// Before any stretch gives a lower bound it is taken as this share of the upper one (less with a
// bucket of one token, where a rate above the limit is costly: see settleRate).
const UNKNOWN_LOWER = 0.5;
const UNKNOWN_LOWER_ONE = 0.4;
// The 429s whose stretches are counted.
const MARKS = 16;
// A stretch counts as spent at the limit (so its lower bound is within a token or two of it)
// while 429s keep coming: the last one no more than this many successes ago.
const RECENTLY = 20;
// 429s below the lower bound fewer than this many successes apart: the limit went down.
const IN_A_ROW = 4;
// Each success lets the upper bound up by this share, so one misled by timing noise (or a limit
// that went up) is found out again: about one probe above the limit per few thousand successes.
const FORGET = 0.0001;
// A limit that went up (a plan upgrade, another workflow or worker done with it) is only found by
// sending faster. After a quiet stretch (no 429) of at least CLIMB_AFTER_MS and
// CLIMB_AFTER_REQUESTS starts, the pacer takes what got through as proven and tries CLIMB above
// it; each further quiet stretch of CLIMBING_AFTER_MS doubles the step, up to CLIMB_MAX (below
// √2 - 1, so the rate tried stays within what settleRate allows): a limit ten times higher is
// reached about five seconds after a climb starts. A climb that met a 429 after climbing at least
// one step may start again after CLIMBING_AFTER_MS: the limit may be higher still. One that the
// bucket explains is taken back, and the next waits twice as many requests (up to four times).
// On a limit that did not move, a try costs about one 429 per quiet stretch: ~1% of requests.
const CLIMB = 0.05;
const CLIMB_MAX = 0.4;
const CLIMB_AFTER_MS = 5000;
const CLIMB_AFTER_REQUESTS = 100;
const CLIMBING_AFTER_MS = 500;
// Start stamps are made unique by this fraction of a millisecond, so same-millisecond starts keep their order.
const TIE_MS = 1 / 1024;

interface Mark {
	/** Start stamp of a request that got a 429: the limiter had less than one token then. */
	at: number;
	/** Successes of requests started after it, and the latest such start. */
	count: number;
	latest: number;
}

interface Started {
	stamp: number;
	/** Milliseconds since the start before it, when the pacer spaced it (else 0). */
	spacingMs: number;
	outcome?: RequestOutcome;
	user: RequestPacer;
}

interface Waiter {
	/** Its start stamp; undefined when its execution closed first. */
	start(stamp: number | undefined): void;
}

/**
 * Paces the requests of every execution in this n8n process that uses one Flowella account
 * (base URL and API key: one rate limit), so together they settle at Flowella's rate limit, whose numbers are not
 * published, whatever its shape: a token bucket with a burst of 1 or as large as the rate, with
 * or without Retry-After.
 *
 * - Until the first 429 nothing is spaced: 5 requests go out at once, one more per success, up to
 *   Parallel Requests. Then every start is spaced, at a rate bracketed by what 429s prove about a
 *   token bucket (requests reach it in the order they start):
 *   - a 429 for a request sent `s` seconds after the one before proves the rate is below 1 / s:
 *     the bucket held less than one token, and refilled rate × s since the previous request;
 *   - N successes among the requests sent in the T seconds after a 429 prove it is above
 *     (N − 1) / T, whatever the burst (the bucket held less than one token at the 429); and with a
 *     bucket of one token (the first burst shows it), two successes `s` apart prove 1 / s.
 *   Requests are spaced at a rate between the bounds, and at the lower one once they agree. A 429
 *   at the lower bound means the limit went down: the bound steps under it.
 * - A bucket of one token cannot keep the part-token a 429 leaves, so sending 20% too fast gets
 *   half the limit through: there, requests keep the proven rate and single requests try faster.
 * - Retry-After comes in whole seconds (an HTTP date too), rounded up: a bucket that refills
 *   every 20 ms answers "1". One of a second or less is left to the spacing; a longer one is one
 *   pause shared by every request. So is any Retry-After on a 429 in the first burst while at
 *   least half of that burst got through: that is not a bucket running dry.
 * - `gotThroughAfter` tells the retry loop whether requests sent after a rate-limited one got
 *   through, so a 429 the pacer is handling need not use up a try.
 * - Timers fire a little late: a start only slightly late keeps the schedule (except against a
 *   bucket of one token, where a shorter spacing would be refused).
 * - Executions take turns for start times (round robin), each within its own Parallel Requests:
 *   one rate, one schedule, shared fairly; one execution's Stop ends only its own waits.
 * Memory is bounded by Parallel Requests and a few constants, not by the number of items.
 */
export class SharedPacer {
	// Before the first 429: how many requests may be in flight, over every execution.
	private window = INITIAL_WINDOW;

	// The executions using it, in the order they take turns, and the one that started last.
	private readonly users: RequestPacer[] = [];

	private lastServed = -1;

	// When the earliest timer set for a start is due (Infinity: none).
	private timerAt = Number.POSITIVE_INFINITY;

	private readonly inFlight: Started[] = [];

	// The latest starts, answered or not, oldest first.
	private readonly recent: Started[] = [];

	// The first burst (what starts before any answer comes back): its size, its requests still
	// unanswered, how many got through, and the pause its first 429 asked for.
	private firstBurstSize = 0;

	private firstBurstLeft = 0;

	private firstBurstOk = 0;

	private firstBurstEnd = Number.NEGATIVE_INFINITY;

	private firstBurstRetryAfter: { answeredAt: number; retryAfterMs: number } | undefined;

	private answers = 0;

	// The first burst showed a bucket of one token (one request of it got through).
	private burstOfOne = false;

	private paced = false;

	private ratePerSec = Number.POSITIVE_INFINITY;

	private nextStartAt = 0;

	private lastStamp = Number.NEGATIVE_INFINITY;

	private firstStartAt = Number.NaN;

	private pausedUntil = 0;

	private successes = 0;

	private successesSince429 = 0;

	private successesSince429Before = Number.POSITIVE_INFINITY;

	// How far the last 429 below the lower bound stepped it down.
	private stepDown = PRECISION;

	private latestSuccess = Number.NEGATIVE_INFINITY;

	private latencyMs = 0;

	private upperBound = Number.POSITIVE_INFINITY;

	// Since the last 429 or climbing step: when it began and how many requests started in it.
	private quietSince = 0;

	private startsSinceQuiet = 0;

	// The step of the climb under way (0: none), and whether the last climb went up a step.
	private climbStep = 0;

	private climbedUp = false;

	// The climb under way: the lower bound before it, when it began and the starts before it.
	private lowerBeforeClimb = 0;

	private climbStartedAt = 0;

	private startsBeforeClimb = 0;

	private starts = 0;

	// How many tokens the bucket may hold, as far as this pacer has seen: what a climb sent above
	// the rate it started from, up to this (twice), may have been the bucket's, not a higher limit.
	private bucketSeen = 1;

	// Climbs in a row that met a 429 at their first step: each doubles the quiet stretch the next waits for.
	private failedClimbs = 0;

	// With a bucket of one token: the rate single requests try, the next start is one, and the one in flight.
	private probeRate: number | undefined;

	private probeNext = false;

	private probeInFlight = Number.NaN;

	private lowerBound = 0;

	// The 429 whose stretch gave the lower bound (undefined when two successes in a row did).
	private lowerBoundMark: Mark | undefined;

	private readonly marks: Mark[] = [];

	private readonly waitingForAnswer: Array<() => void> = [];

	constructor(readonly clock: Clock = realClock) {}

	/** Parallel Requests of every execution using it: the most that can be in flight at once. */
	private get maxConcurrency(): number {
		return Math.max(1, this.users.reduce((sum, user) => sum + user.maxConcurrency, 0));
	}

	/** How many requests may be in flight at once, over every execution. */
	get concurrency(): number {
		return Math.min(this.maxConcurrency, Math.floor(this.window));
	}

	get inUse(): boolean {
		return this.users.length > 0;
	}

	/** @internal RequestPacer's */
	join(user: RequestPacer): void {
		this.users.push(user);
	}

	/** @internal RequestPacer's */
	leave(user: RequestPacer): void {
		const index = this.users.indexOf(user);
		if (index < 0) return;
		this.users.splice(index, 1);
		if (this.lastServed >= index) this.lastServed -= 1;
		this.startWaiting();
	}

	/** Requests waiting for a start, over every execution. */
	private get queued(): number {
		return this.users.reduce((sum, user) => sum + user.waiting.length, 0);
	}

	/**
	 * Starts as many waiting requests as the slots, the schedule and any shared pause allow, each
	 * execution in turn, and sets a timer for the next start time when one must wait.
	 */
	startWaiting(): void {
		for (;;) {
			if (this.inFlight.length >= this.concurrency) return;
			// A 429 in the first burst came with a Retry-After: nothing starts until the rest of the
			// burst tells whether it is one pause for every request.
			if (this.firstBurstRetryAfter && this.firstBurstLeft > 0) return;
			const next = this.nextUser();
			if (next === undefined) return;
			const waitMs = Math.max(this.pausedUntil, this.nextStartAt) - this.clock.now();
			if (waitMs > 0) {
				this.wakeAfter(waitMs);
				return;
			}
			this.lastServed = next;
			const user = this.users[next];
			const waiter = user.waiting.shift() as Waiter;
			user.inFlight += 1;
			waiter.start(this.start(user));
		}
	}

	/** The next execution (its index), after the one served last, with a request waiting and a slot of its own free. */
	private nextUser(): number | undefined {
		const count = this.users.length;
		for (let offset = 1; offset <= count; offset++) {
			const index = (this.lastServed + offset) % count;
			const user = this.users[index];
			if (user.waiting.length > 0 && user.inFlight < user.maxConcurrency) return index;
		}
		return undefined;
	}

	private wakeAfter(waitMs: number): void {
		const at = this.clock.now() + waitMs;
		if (at >= this.timerAt) return;
		this.timerAt = at;
		void this.clock.sleep(waitMs).then(() => {
			if (this.timerAt === at) this.timerAt = Number.POSITIVE_INFINITY;
			this.startWaiting();
		});
	}

	/** Records a start now; returns its stamp (unique: starts in the same millisecond differ by a fraction of one). */
	private start(user: RequestPacer): number {
		const now = this.clock.now();
		const stamp = Math.max(now, this.lastStamp + TIE_MS);
		// Only a paced start's spacing says anything: unpaced ones go out together.
		const started: Started = { stamp, spacingMs: this.paced ? stamp - this.lastStamp : 0, user };
		this.inFlight.push(started);
		this.recent.push(started);
		if (this.recent.length > 2 * this.maxConcurrency + 2) this.recent.shift();
		// The first burst: what starts before any answer comes back.
		if (this.answers === 0) {
			this.firstBurstSize += 1;
			this.firstBurstLeft += 1;
			this.firstBurstEnd = stamp;
		}
		this.lastStamp = stamp;
		this.startsSinceQuiet += 1;
		this.starts += 1;
		if (Number.isNaN(this.firstStartAt)) this.firstStartAt = now;
		if (this.probeNext) {
			this.probeNext = false;
			this.probeInFlight = stamp;
		}
		if (this.paced) {
			// One probe at a time: the start after this one comes at the probe rate.
			const probe = this.probeRate !== undefined && Number.isNaN(this.probeInFlight);
			this.probeNext = probe;
			// Timers fire a little late: a start only slightly so keeps the schedule (the next one
			// comes a little sooner), except against a bucket of one token, where sooner is refused.
			const intervalMs = 1000 / (probe ? (this.probeRate as number) : this.ratePerSec);
			const onSchedule = !this.burstOfOne && now - this.nextStartAt < intervalMs / 4 ? this.nextStartAt : now;
			this.nextStartAt = onSchedule + intervalMs;
		}
		return stamp;
	}

	/**
	 * Frees the slot of a request that started at `startedAt` and adapts to how it went;
	 * `retryAfterMs` is the server's Retry-After, when a 429 came with one.
	 */
	release(outcome: RequestOutcome, startedAt: number, retryAfterMs?: number): void {
		this.answers += 1;
		const index = this.inFlight.findIndex((start) => start.stamp === startedAt);
		const started = index >= 0 ? this.inFlight.splice(index, 1)[0] : undefined;
		if (started) started.user.inFlight -= 1;
		const spacingMs = started?.spacingMs ?? 0;
		if (started) started.outcome = outcome;
		if (startedAt === this.probeInFlight) this.probeInFlight = Number.NaN;
		if (outcome === 'success') this.succeeded(startedAt);
		else if (outcome === 'rateLimited') this.rateLimited(startedAt, spacingMs, retryAfterMs);
		if (startedAt <= this.firstBurstEnd) this.firstBurstAnswered(outcome, retryAfterMs);
		for (const wake of this.waitingForAnswer.splice(0)) wake();
		this.startWaiting();
	}

	/**
	 * Whether a request started after `startedAt` got through, waiting for the answers of those
	 * in flight or about to start. A request that got a 429 while later ones succeed only needs
	 * its turn.
	 */
	async gotThroughAfter(startedAt: number, signal?: AbortSignal): Promise<boolean> {
		for (;;) {
			if (this.latestSuccess > startedAt) return true;
			const later = this.queued > 0 || this.inFlight.some((start) => start.stamp > startedAt);
			if (signal?.aborted || !later) return false;
			await this.nextAnswer(signal);
		}
	}

	private async nextAnswer(signal?: AbortSignal): Promise<void> {
		await new Promise<void>((resolve) => {
			const wake = () => {
				signal?.removeEventListener('abort', wake);
				resolve();
			};
			this.waitingForAnswer.push(wake);
			signal?.addEventListener('abort', wake, { once: true });
		});
	}

	/**
	 * The first burst goes out before anything is known. With a bucket of one token, one request
	 * of it gets through. A 429 in it with a Retry-After while at least half of the burst got
	 * through is not a bucket running dry (Flowella asking this client to wait, say): the
	 * Retry-After is one pause shared by every request, and requests go unpaced again.
	 */
	private firstBurstAnswered(outcome: RequestOutcome, retryAfterMs?: number): void {
		this.firstBurstLeft -= 1;
		if (outcome === 'success') this.firstBurstOk += 1;
		if (outcome === 'rateLimited' && retryAfterMs !== undefined && !this.firstBurstRetryAfter) {
			this.firstBurstRetryAfter = { answeredAt: this.clock.now(), retryAfterMs };
		}
		if (this.firstBurstLeft > 0) return;
		this.burstOfOne = this.firstBurstSize > 1 && this.firstBurstOk === 1;
		this.bucketSeen = Math.max(this.bucketSeen, this.firstBurstOk);
		const asked = this.firstBurstRetryAfter;
		this.firstBurstRetryAfter = undefined;
		if (!asked || this.firstBurstOk * 2 < this.firstBurstSize) return;
		this.pausedUntil = Math.max(this.pausedUntil, asked.answeredAt + asked.retryAfterMs);
		this.stopPacing();
	}

	private succeeded(startedAt: number): void {
		this.successes += 1;
		this.successesSince429 += 1;
		this.latestSuccess = Math.max(this.latestSuccess, startedAt);
		this.latencyMs = Math.max(0, this.clock.now() - startedAt);
		if (!this.paced) {
			this.window = Math.min(this.maxConcurrency, this.window + 1);
			return;
		}
		for (const mark of this.marks) {
			if (startedAt <= mark.at) continue;
			mark.count += 1;
			mark.latest = Math.max(mark.latest, startedAt);
			const floor = ((mark.count - 1) * 1000) / (mark.latest - mark.at);
			if (mark.count >= 2 && floor > this.lowerBound) {
				this.lowerBound = floor;
				this.lowerBoundMark = mark;
			}
		}
		if (this.burstOfOne) this.twoInARow(startedAt);
		if (Number.isFinite(this.upperBound)) {
			this.upperBound *= 1 + FORGET;
			this.climbWhenQuiet();
			this.settleRate();
			return;
		}
		// Doubling per round trip: rate × latency requests answer in one.
		const perRoundTrip = (this.ratePerSec * this.latencyMs) / 1000;
		const gain = perRoundTrip > 1 ? Math.min(PROBE_GAIN, Math.log(1.5) / perRoundTrip) : PROBE_GAIN;
		// A large bucket hides the limit until it has emptied: no more than PROBE_CAP times the proven rate.
		const fresh = !this.burstOfOne && this.lowerBound > 0 && this.successesSince429 < RECENTLY;
		const ceiling = fresh ? this.lowerBound * PROBE_CAP : Number.POSITIVE_INFINITY;
		this.setRate(Math.max(this.lowerBound, Math.min(this.ratePerSec * (1 + gain), Math.max(ceiling, this.ratePerSec))));
	}

	/**
	 * After a quiet stretch the rate that got through is proven (a large bucket may have helped:
	 * a 429 below the lower bound then steps it down again), and the next rate tried is a step
	 * above it; steps double while no 429 comes.
	 */
	private climbWhenQuiet(): void {
		const now = this.clock.now();
		const quietMs = now - this.quietSince;
		const climbing = this.climbStep > 0;
		const soon = climbing || this.climbedUp;
		if (quietMs < (soon ? CLIMBING_AFTER_MS : CLIMB_AFTER_MS)) return;
		if (!soon && this.startsSinceQuiet < CLIMB_AFTER_REQUESTS * 2 ** Math.min(this.failedClimbs, 2)) return;
		this.climbedUp = climbing;
		if (!climbing) {
			this.lowerBeforeClimb = this.lowerBound;
			this.climbStartedAt = now;
			this.startsBeforeClimb = this.starts;
		} else if (this.sentAboveClimbStart(now) > 2 * this.bucketSeen) {
			this.failedClimbs = 0;
		}
		const achieved = (this.startsSinceQuiet * 1000) / quietMs;
		if (achieved > this.lowerBound) {
			this.lowerBound = Math.min(achieved, this.ratePerSec);
			this.lowerBoundMark = undefined;
		}
		this.climbStep = climbing ? Math.min(CLIMB_MAX, this.climbStep * 2) : CLIMB;
		this.upperBound = Math.max(this.upperBound, this.lowerBound * (1 + this.climbStep) ** 2);
		this.quietSince = now;
		this.startsSinceQuiet = 0;
	}

	/** Requests started during the climb under way beyond what the rate it started from would have sent. */
	private sentAboveClimbStart(now: number): number {
		return this.starts - this.startsBeforeClimb - (this.lowerBeforeClimb * (now - this.climbStartedAt)) / 1000;
	}

	private rateLimited(startedAt: number, spacingMs: number, retryAfterMs?: number): void {
		const climbing = this.climbStep > 0;
		this.quietSince = this.clock.now();
		this.startsSinceQuiet = 0;
		this.climbStep = 0;
		this.successesSince429Before = this.successesSince429;
		this.successesSince429 = 0;
		this.marks.push({ at: startedAt, count: 0, latest: startedAt });
		if (this.marks.length > MARKS) this.marks.shift();
		// A Retry-After of a second or less is rounding up (to whole seconds, as an HTTP date is
		// too) a wait of 1/rate s: the pacer spaces requests itself. Longer ones are waited out.
		if (retryAfterMs !== undefined && retryAfterMs > 1000) {
			this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + retryAfterMs);
		}
		if (!this.paced) this.startPacing();
		if (spacingMs <= 0) return;
		let bound = 1000 / spacingMs;
		// (Within a rounding of it: at the lower bound itself.)
		if (bound <= this.lowerBound * (1 + PRECISION / 4)) {
			// Below what was shown to get through. Timing noise can do that (a request held up on
			// its way, then two reach Flowella closer together than they were sent): a small step
			// down is enough. When the limit went down (another workflow shares it, say) 429s come
			// in a row, and each step is twice the last.
			this.stepDown = this.successesSince429Before < IN_A_ROW ? Math.min(STEP, this.stepDown * 2) : PRECISION;
			this.lowerBound *= 1 - this.stepDown;
			this.lowerBoundMark = undefined;
			// Stretches measured before say too much now: only this 429's stretch counts.
			this.marks.splice(0, this.marks.length - 1);
			bound = Math.max(bound, this.lowerBound * (1 + PRECISION));
		} else if (climbing) {
			// A climb that meets a 429 ends at once, back to the rate proven before it. What it sent
			// above the rate it started from may have been the bucket's tokens (it fills while the
			// rate is under the limit): if so, it proved nothing, and the next waits longer.
			const above = this.sentAboveClimbStart(this.clock.now());
			// (A bucket of one token keeps none: what two successes in a row proved stands.)
			const bucketMayHaveHelped = !this.burstOfOne;
			if (bucketMayHaveHelped && above <= 2 * this.bucketSeen) {
				this.lowerBound = Math.min(this.lowerBound, this.lowerBeforeClimb);
				this.bucketSeen = Math.max(this.bucketSeen, above);
				this.failedClimbs += 1;
				this.climbedUp = false;
			} else if (bucketMayHaveHelped && above <= 2 * this.lowerBeforeClimb) {
				// As much as a bucket of a second's tokens (a common shape) holds: half of it is kept.
				this.lowerBound = Math.max(this.lowerBeforeClimb, (this.lowerBound + this.lowerBeforeClimb) / 2);
			}
			// The bounds agree again: no probe between them.
			bound = Math.min(bound, this.lowerBound * (1 + PRECISION / 2));
		}
		if (bound < this.upperBound || this.lowerBound * (1 + PRECISION) >= this.upperBound) {
			this.upperBound = Math.max(Math.min(bound, this.upperBound), this.lowerBound * (1 + PRECISION / 2));
			this.settleRate();
			// The limiter was empty a moment ago: the next request waits a full interval from the last start.
			this.nextStartAt = Math.max(this.nextStartAt, this.lastStamp + 1000 / this.ratePerSec);
		}
	}

	/**
	 * With a bucket of one token, a success empties it: a success sent `s` seconds after another
	 * proves the rate is at least 1 / s. (A larger bucket may have kept tokens from before.)
	 */
	private twoInARow(startedAt: number): void {
		const index = this.recent.findIndex((start) => start.stamp === startedAt);
		for (const [before, after] of [
			[this.recent[index - 1], this.recent[index]],
			[this.recent[index], this.recent[index + 1]],
		]) {
			const bound = after?.spacingMs ? 1000 / after.spacingMs : 0;
			if (before?.outcome === 'success' && after?.outcome === 'success' && bound > this.lowerBound) {
				this.lowerBound = bound;
				this.lowerBoundMark = undefined;
			}
		}
	}

	/** Between the bounds: their geometric middle, at most STEP above the lower; the lower once they agree. */
	private settleRate(): void {
		const upper = this.upperBound;
		const lower = Math.max(this.lowerBound, upper * (this.burstOfOne ? UNKNOWN_LOWER_ONE : UNKNOWN_LOWER));
		// A stretch with 429s coming all along kept the bucket empty: its lower bound, resting on N
		// tokens, is about 1/N short of the limit at most. Otherwise it only says what was sent.
		const mark = this.lowerBoundMark;
		// A climb tries its own step above the proven rate.
		let step = Math.max(STEP, this.climbStep);
		if (mark && this.lowerBound >= lower && this.successesSince429 < RECENTLY) step = Math.min(STEP, Math.max(PRECISION, 2 / (mark.count - 1)));
		const candidate = upper <= lower * (1 + PRECISION) ? lower : Math.min(Math.sqrt(lower * upper), lower * (1 + step));
		// With a bucket of one token, a rate above the limit loses every other request (the part
		// token a 429 leaves overflows): requests keep the proven rate, and single requests try
		// the candidate one, so a wrong guess costs one 429.
		this.probeRate = this.burstOfOne && candidate > lower ? candidate : undefined;
		this.setRate(this.burstOfOne ? lower : candidate);
	}

	private setRate(rate: number): void {
		this.ratePerSec = Math.max(MIN_RATE, rate);
	}

	private startPacing(): void {
		// Successes so far include the burst: half their rate is a guess that errs low.
		const elapsedMs = this.clock.now() - this.firstStartAt;
		const rate = elapsedMs >= 1 && this.successes > 1 ? (this.successes * 500) / elapsedMs : START_RATE;
		this.paced = true;
		this.setRate(Math.min(rate, START_RATE));
		// From now on the spacing and each execution's Parallel Requests are what hold requests back.
		this.window = Number.POSITIVE_INFINITY;
		this.nextStartAt = Math.max(this.nextStartAt, this.lastStamp + 1000 / this.ratePerSec);
	}

	private stopPacing(): void {
		this.paced = false;
		this.ratePerSec = Number.POSITIVE_INFINITY;
		this.nextStartAt = 0;
		this.marks.length = 0;
		this.upperBound = Number.POSITIVE_INFINITY;
		this.lowerBound = 0;
		this.lowerBoundMark = undefined;
		this.probeRate = undefined;
		this.probeNext = false;
	}
}

/** Resolves when `promise` does, or as soon as `signal` aborts. */
async function untilAborted(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
	if (!signal) return await promise;
	if (signal.aborted) return;
	let onAbort = () => {};
	const aborted = new Promise<void>((resolve) => {
		onAbort = () => resolve();
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([promise, aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

/**
 * One execution's use of a SharedPacer: its requests wait their turn in its schedule, at most
 * Parallel Requests of them in flight. On its own (no SharedPacer given) it paces one execution.
 */
export class RequestPacer {
	/** @internal SharedPacer's: requests of this execution waiting for a start, oldest first. */
	readonly waiting: Waiter[] = [];

	/** @internal SharedPacer's */
	inFlight = 0;

	private closed = false;

	/** Max Requests Per Second's spacing between this execution's starts, in ms; 0: none of its own. */
	private readonly ownIntervalMs: number;
	/** Under its own cap: the start stamp of its latest request, and the turn of the latest request waiting for one. */
	private lastOwnStart = Number.NEGATIVE_INFINITY;

	private ownTurn: Promise<void> = Promise.resolve();

	constructor(
		readonly maxConcurrency: number,
		private readonly clock: Clock = realClock,
		readonly shared: SharedPacer = new SharedPacer(clock),
		private readonly onClose: () => void = () => {},
		maxPerSecond = 0,
	) {
		this.ownIntervalMs = maxPerSecond > 0 ? 1000 / maxPerSecond : 0;
		shared.join(this);
	}

	/**
	 * Waits for a slot of this execution's, the end of any shared pause and this request's turn;
	 * returns its start time (unique: requests started in the same millisecond differ by a fraction
	 * of one). Returns undefined, holding no slot, when `signal` aborts first: only this request's
	 * wait ends, not other executions'.
	 */
	async acquire(signal?: AbortSignal): Promise<number | undefined> {
		if (signal?.aborted || this.closed) return undefined;
		if (this.ownIntervalMs <= 0) return await this.takeTurn(signal);
		// The node's own cap (a share of the limit between workers): its requests take their turns
		// one after another, each at least the interval after the previous one actually started, so
		// starts a busy event loop held up do not bunch up the ones behind them.
		const previous = this.ownTurn;
		let done = () => {};
		this.ownTurn = new Promise<void>((resolve) => (done = resolve));
		try {
			await untilAborted(previous, signal);
			const waitMs = this.lastOwnStart + this.ownIntervalMs - this.clock.now();
			if (waitMs > 0 && !signal?.aborted) await this.clock.sleep(waitMs, signal);
			if (signal?.aborted || this.closed) return undefined;
			const stamp = await this.takeTurn(signal);
			if (stamp !== undefined) this.lastOwnStart = stamp;
			return stamp;
		} finally {
			done();
		}
	}

	/** Waits for a slot of this execution's, the end of any shared pause and this request's turn in the shared schedule. */
	private async takeTurn(signal?: AbortSignal): Promise<number | undefined> {
		return await new Promise<number | undefined>((resolve) => {
			const onAbort = () => {
				const index = this.waiting.indexOf(waiter);
				if (index >= 0) this.waiting.splice(index, 1);
				resolve(undefined);
			};
			const waiter: Waiter = {
				start: (stamp) => {
					signal?.removeEventListener('abort', onAbort);
					resolve(stamp);
				},
			};
			this.waiting.push(waiter);
			signal?.addEventListener('abort', onAbort, { once: true });
			this.shared.startWaiting();
		});
	}

	/**
	 * Frees the slot of a request that started at `startedAt` and adapts to how it went;
	 * `retryAfterMs` is the server's Retry-After, when a 429 came with one.
	 */
	release(outcome: RequestOutcome, startedAt: number, retryAfterMs?: number): void {
		this.shared.release(outcome, startedAt, retryAfterMs);
	}

	/** Whether a request (of any execution) started after `startedAt` got through: see SharedPacer. */
	async gotThroughAfter(startedAt: number, signal?: AbortSignal): Promise<boolean> {
		return await this.shared.gotThroughAfter(startedAt, signal);
	}

	/** This execution is done with it: the next turns go to the others, and it is freed with the last one. */
	close(): void {
		if (this.closed) return;
		this.closed = true;
		for (const waiter of this.waiting.splice(0)) waiter.start(undefined);
		this.shared.leave(this);
		this.onClose();
	}
}

/**
 * The SharedPacers of this process, one per Flowella account: keyed by a digest of the base URL
 * and API key (the key itself is kept nowhere), each freed when the last execution using it closes.
 */
export class PacerRegistry {
	private readonly pacers = new Map<string, SharedPacer>();

	constructor(private readonly clock: Clock = realClock) {}

	/** One execution's pacer, sharing its schedule with every other execution on the same account. */
	open(baseUrl: string, apiKey: string, concurrency: number, maxPerSecond = 0): RequestPacer {
		const key = createHash('sha256').update(`${baseUrl}\n${apiKey}`).digest('hex');
		let shared = this.pacers.get(key);
		if (!shared) {
			shared = new SharedPacer(this.clock);
			this.pacers.set(key, shared);
		}
		const own = shared;
		return new RequestPacer(
			concurrency,
			this.clock,
			own,
			() => {
				if (!own.inUse && this.pacers.get(key) === own) this.pacers.delete(key);
			},
			maxPerSecond,
		);
	}

	/** How many accounts have a pacer at the moment. */
	get size(): number {
		return this.pacers.size;
	}
}
