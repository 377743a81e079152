// Runs the node's real dispatch (runItems), retry loop (flowellaRequest) and RequestPacer on
// virtual time against a simulated Flowella: a token bucket answering 429 RATE_LIMITED with
// Retry-After absent, in seconds (rounded up, at least 1, as servers send it) or as an HTTP date.
// The only stand-in is the narrow IExecuteFunctions below, whose HTTP helper answers from the
// simulated server. Everything is seeded: the same case gives the same numbers every time.
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { contactRowProblem } from '../../nodes/Flowella/resources/contact/contactRow';
import type { SharedPacer } from '../../nodes/Flowella/transport/pacer';
import { PacerRegistry } from '../../nodes/Flowella/transport/pacer';
import type { RetryPolicy } from '../../nodes/Flowella/transport/retry';
import { Cancellation } from '../../nodes/Flowella/transport/cancel';
import { runItems } from '../../nodes/Flowella/transport/runItems';
import { flowellaRequest } from '../../nodes/Flowella/transport/request';
import { VirtualClock } from './virtualClock';
import { seededRandom } from './seededRandom';

export type RetryAfterMode = 'none' | 'seconds' | 'date';

export interface SimulationCase {
	items: number;
	/** Parallel Requests. */
	concurrency: number;
	ratePerSec: number;
	burst: number;
	retryAfter: RetryAfterMode;
	latencyMs: number;
	/**
	 * Each request's latency is latencyMs × (1 ± jitter), uniformly; 0.3 for ±30%. The rate
	 * limiter sees a request half the base latency after it starts (the trip to Flowella); the
	 * jitter is in the rest (Flowella's handling and the trip back), as with a limiter in front.
	 */
	jitter?: number;
	/** Network jitter on the way to the limiter, ± this many milliseconds: requests may reach it out of order. */
	limiterJitterMs?: number;
	/** Tokens in the bucket at the start (default: a full burst). 0: another workflow just emptied it. */
	initialTokens?: number;
	/** The limit changes during the run (another workflow starts sharing it, say). */
	limitChange?: { afterMs: number; ratePerSec: number };
	/** Every request gets a 429 (a quota used up for the day, say). */
	refuseAll?: boolean;
	/** The node's Retry On Fail settings; default on, Max. Tries 3, Wait Between Tries 1,000 ms. */
	retry?: RetryPolicy;
	/**
	 * What real n8n adds between the pacer and the wire, each uniform from 0 to this many ms:
	 * timers firing late (`timerSlackMs`, which the pacer sees: it stamps a start when it wakes)
	 * and the time from the stamp until the request leaves (`startDelayMs`: n8n's request helper,
	 * a busy event loop), which it does not see.
	 */
	timerSlackMs?: number;
	startDelayMs?: number;
	/**
	 * Several executions of the node in one n8n process, on one credential (the same limit): each
	 * with its own items and Parallel Requests, starting `startAfterMs` after the first. Default:
	 * one execution of `items` at `concurrency`. `items` is then their sum.
	 */
	executions?: ExecutionSetup[];
	seed?: number;
}

export interface ExecutionSetup {
	items: number;
	/** Parallel Requests; default the case's `concurrency`. */
	concurrency?: number;
	startAfterMs?: number;
}

export interface ExecutionResult {
	succeeded: number;
	failed: number;
	requests: number;
	/** From this execution's first request to its last success's answer. */
	firstRequestAt: number;
	lastSuccessAt: number;
	/** Virtual time of each of its successes' answers, since the run started. */
	successTimes: number[];
	/** The most of its requests in flight at once. */
	maxInFlight: number;
	inFlight: number;
}

export interface SimulationResult {
	succeeded: number;
	failed: number;
	requests: number;
	rateLimited: number;
	/** From the first request's start to the last success's answer. */
	elapsedMs: number;
	/** (items − burst) / rate: a client that used the whole burst, then every token as it came. */
	idealMs: number;
	/** idealMs / elapsedMs. */
	fractionOfLimit: number;
	/** 429s per item. */
	extra: number;
	maxInFlight: number;
	/** The node's output, in input order (every execution's, one after the other). */
	phones: string[];
	errors: string[];
	executions: ExecutionResult[];
	/** Virtual time of every success's answer, since the run started. */
	successTimes: number[];
	/** Virtual time at which the limiter refused each 429, since the run started. */
	rateLimitedTimes: number[];
	/** The pacer every execution shared (freed from the registry once the last one closed). */
	pacer: SharedPacer;
	/** Accounts with a pacer in the registry after the run: 0, every execution closed its own. */
	pacersLeft: number;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseWaitMs: 1000 };

interface FullResponse {
	statusCode: number;
	headers: Record<string, string>;
	body: string;
}

class SimulatedFlowella {
	requests = 0;

	rateLimited = 0;

	succeeded = 0;

	inFlight = 0;

	maxInFlight = 0;

	firstRequestAt = Number.NaN;

	lastSuccessAt = Number.NaN;

	readonly successTimes: number[] = [];

	readonly rateLimitedTimes: number[] = [];

	readonly executions: ExecutionResult[];

	private tokens: number;

	private readonly startedAt: number;

	private refilledAt: number;

	private readonly random: () => number;

	constructor(
		private readonly clock: VirtualClock,
		private readonly setup: SimulationCase,
	) {
		this.tokens = setup.initialTokens ?? setup.burst;
		this.executions = executionsOf(setup).map(() => ({
			succeeded: 0,
			failed: 0,
			requests: 0,
			firstRequestAt: Number.NaN,
			lastSuccessAt: Number.NaN,
			successTimes: [],
			maxInFlight: 0,
			inFlight: 0,
		}));
		this.refilledAt = clock.now();
		this.startedAt = clock.now();
		this.random = seededRandom(setup.seed ?? 1);
	}

	async handle(options: IHttpRequestOptions): Promise<FullResponse> {
		const { clock, setup } = this;
		const startedAt = clock.now();
		if (this.requests === 0) this.firstRequestAt = startedAt;
		this.requests += 1;
		this.inFlight += 1;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		const phone = (JSON.parse(String(options.body)) as { phone: string }).phone;
		const execution = this.executions[executionOfPhone(phone)];
		execution.requests += 1;
		execution.inFlight += 1;
		execution.maxInFlight = Math.max(execution.maxInFlight, execution.inFlight);
		if (Number.isNaN(execution.firstRequestAt)) execution.firstRequestAt = startedAt;
		const latency = setup.latencyMs * (1 + (setup.jitter ?? 0) * (2 * this.random() - 1));
		const network = (setup.limiterJitterMs ?? 0) * (2 * this.random() - 1);
		const leaves = (setup.startDelayMs ?? 0) * this.random();
		const toLimiter = Math.max(0, leaves + setup.latencyMs / 2 + network);
		return await new Promise<FullResponse>((resolve) => {
			clock.at(startedAt + toLimiter, () => {
				const response = this.answer(phone);
				clock.at(Math.max(startedAt + leaves + latency, clock.now()), () => {
					this.inFlight -= 1;
					execution.inFlight -= 1;
					if (response.statusCode === 200) {
						this.succeeded += 1;
						this.lastSuccessAt = clock.now();
						this.successTimes.push(clock.now() - this.startedAt);
						execution.succeeded += 1;
						execution.lastSuccessAt = clock.now();
						execution.successTimes.push(clock.now() - this.startedAt);
					}
					resolve(response);
				});
			});
		});
	}

	private answer(phone: string): FullResponse {
		const { burst, retryAfter, limitChange } = this.setup;
		const now = this.clock.now();
		const changed = limitChange && now - this.startedAt >= limitChange.afterMs;
		const ratePerSec = changed ? limitChange.ratePerSec : this.setup.ratePerSec;
		this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) / 1000) * ratePerSec);
		this.refilledAt = now;
		if (this.tokens >= 1 && !this.setup.refuseAll) {
			this.tokens -= 1;
			const at = new Date(now).toISOString();
			const row = { id: `ct_${phone.slice(1)}`, phone, waId: null, name: null, email: null, isOptedOut: false, createdAt: at, updatedAt: at };
			return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(row) };
		}
		this.rateLimited += 1;
		this.rateLimitedTimes.push(now - this.startedAt);
		const seconds = Math.max(1, Math.ceil((1 - this.tokens) / ratePerSec));
		const headers: Record<string, string> = { 'content-type': 'application/json' };
		if (retryAfter === 'seconds') headers['retry-after'] = String(seconds);
		if (retryAfter === 'date') headers['retry-after'] = new Date(now + seconds * 1000).toUTCString();
		return { statusCode: 429, headers, body: JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'Too many requests' } }) };
	}
}

// Virtual time starts at an odd moment within a second, so HTTP dates (whole seconds) round.
const EPOCH = Date.parse('2026-11-25T10:00:00.000Z');

function executionsOf(setup: SimulationCase): ExecutionSetup[] {
	return setup.executions ?? [{ items: setup.items, concurrency: setup.concurrency }];
}

// Execution e's item i has the phone +346<e><i, 7 digits>.
const phoneOf = (execution: number, item: number) => `+346${execution}${String(item).padStart(7, '0')}`;
const executionOfPhone = (phone: string) => Number(phone[4]);

/**
 * The time a client needs that uses the whole burst and then every token as it comes (the
 * limit may change once during the run).
 */
export function idealMs(setup: Pick<SimulationCase, 'items' | 'burst' | 'ratePerSec' | 'limitChange'>): number {
	const needed = Math.max(0, setup.items - setup.burst);
	const change = setup.limitChange;
	if (!change || needed <= (change.afterMs / 1000) * setup.ratePerSec) return (needed / setup.ratePerSec) * 1000;
	const before = (change.afterMs / 1000) * setup.ratePerSec;
	return change.afterMs + ((needed - before) / change.ratePerSec) * 1000;
}

export async function simulate(setup: SimulationCase): Promise<SimulationResult> {
	const seed = setup.seed ?? 1;
	const slack = seededRandom(seed ^ 0x51ac);
	const clock = new VirtualClock(EPOCH + Math.floor(seededRandom(seed ^ 0x5eed)() * 1000), () => (setup.timerSlackMs ?? 0) * slack());
	const server = new SimulatedFlowella(clock, setup);
	const executions = executionsOf(setup);
	const items = executions.reduce((sum, execution) => sum + execution.items, 0);
	const node = { id: 'sim', name: 'Flowella', type: 'n8n-nodes-flowella.flowella', typeVersion: 1, position: [0, 0], parameters: {} };
	const ctx = {
		getNode: () => node,
		continueOnFail: () => true,
		getExecutionCancelSignal: () => undefined,
		helpers: { httpRequestWithAuthentication: async (_: string, options: IHttpRequestOptions) => await server.handle(options) },
	} as unknown as IExecuteFunctions;

	// As in n8n: one registry for the process, one pacer per account, one handle per execution.
	const registry = new PacerRegistry(clock);
	let pacer: SharedPacer | undefined;
	const runExecution = async ({ items: count, concurrency = setup.concurrency, startAfterMs = 0 }: ExecutionSetup, execution: number) => {
		await clock.sleep(startAfterMs);
		const own = registry.open('https://app.flowella.io', 'flo_simulated', concurrency);
		pacer ??= own.shared;
		const connection = {
			baseUrl: 'https://app.flowella.io',
			apiKey: 'flo_simulated',
			timeoutMs: 30_000,
			retry: setup.retry ?? DEFAULT_RETRY,
			pacer: own,
			clock,
		};
		try {
			const cancellation = new Cancellation();
			return await runItems(ctx, { concurrency, cancellation }, count, async (itemIndex) => [
				{
					json: (await flowellaRequest(
						ctx,
						connection,
						{ method: 'POST', path: '/api/v1/contacts', body: { phone: phoneOf(execution, itemIndex) }, itemIndex, signal: cancellation.signal, idempotent: true },
						contactRowProblem,
					)) as IDataObject,
					pairedItem: { item: itemIndex },
				},
			]);
		} finally {
			own.close();
		}
	};

	// Retry-After dates are read against Date.now(): it follows virtual time during the run.
	const realNow = Date.now;
	Date.now = () => clock.now();
	let outputs;
	try {
		outputs = await clock.run(Promise.all(executions.map(runExecution)));
	} finally {
		Date.now = realNow;
	}

	const output = outputs.flat();
	outputs.forEach((list, execution) => {
		server.executions[execution].failed = list.filter((item) => item.json.error !== undefined).length;
	});
	const errors = output.filter((item) => item.json.error !== undefined).map((item) => String(item.json.error));
	const elapsedMs = server.lastSuccessAt - server.firstRequestAt;
	const ideal = idealMs({ ...setup, items });
	return {
		succeeded: server.succeeded,
		failed: errors.length,
		requests: server.requests,
		rateLimited: server.rateLimited,
		elapsedMs,
		idealMs: ideal,
		fractionOfLimit: ideal / elapsedMs,
		extra: server.rateLimited / items,
		maxInFlight: server.maxInFlight,
		phones: output.map((item) => String(item.json.phone ?? '')),
		errors,
		executions: server.executions,
		successTimes: server.successTimes,
		rateLimitedTimes: server.rateLimitedTimes,
		pacer: pacer as SharedPacer,
		pacersLeft: registry.size,
	};
}
