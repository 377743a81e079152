// Runs the node's real dispatch (runItems), retry loop (flowellaRequest) and RequestPacer on
// virtual time against a simulated Flowella: a token bucket answering 429 RATE_LIMITED with
// Retry-After absent, in seconds (rounded up, at least 1, as servers send it) or as an HTTP date.
// The only stand-in is the narrow IExecuteFunctions below, whose HTTP helper answers from the
// simulated server. Everything is seeded: the same case gives the same numbers every time.
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { contactRowProblem } from '../../nodes/Flowella/resources/contact/contactRow';
import { RequestPacer } from '../../nodes/Flowella/shared/pacer';
import type { RetryPolicy } from '../../nodes/Flowella/shared/retry';
import { runItems } from '../../nodes/Flowella/shared/runItems';
import { flowellaRequest } from '../../nodes/Flowella/shared/transport';
import { VirtualClock } from './virtualClock';

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
	seed?: number;
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
	/** The node's output, in input order. */
	phones: string[];
	errors: string[];
	pacer: RequestPacer;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseWaitMs: 1000 };

/** Small, fast, seeded: mulberry32. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

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

	private tokens: number;

	private readonly startedAt: number;

	private refilledAt: number;

	private readonly random: () => number;

	constructor(
		private readonly clock: VirtualClock,
		private readonly setup: SimulationCase,
	) {
		this.tokens = setup.initialTokens ?? setup.burst;
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
		const latency = setup.latencyMs * (1 + (setup.jitter ?? 0) * (2 * this.random() - 1));
		const network = (setup.limiterJitterMs ?? 0) * (2 * this.random() - 1);
		const toLimiter = Math.max(0, setup.latencyMs / 2 + network);
		return await new Promise<FullResponse>((resolve) => {
			clock.at(startedAt + toLimiter, () => {
				const response = this.answer(phone);
				clock.at(Math.max(startedAt + latency, clock.now()), () => {
					this.inFlight -= 1;
					if (response.statusCode === 200) {
						this.succeeded += 1;
						this.lastSuccessAt = clock.now();
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
		const seconds = Math.max(1, Math.ceil((1 - this.tokens) / ratePerSec));
		const headers: Record<string, string> = { 'content-type': 'application/json' };
		if (retryAfter === 'seconds') headers['retry-after'] = String(seconds);
		if (retryAfter === 'date') headers['retry-after'] = new Date(now + seconds * 1000).toUTCString();
		return { statusCode: 429, headers, body: JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'Too many requests' } }) };
	}
}

// Virtual time starts at an odd moment within a second, so HTTP dates (whole seconds) round.
const EPOCH = Date.parse('2026-11-25T10:00:00.000Z');

export async function simulate(setup: SimulationCase): Promise<SimulationResult> {
	const seed = setup.seed ?? 1;
	const clock = new VirtualClock(EPOCH + Math.floor(seededRandom(seed ^ 0x5eed)() * 1000));
	const server = new SimulatedFlowella(clock, setup);
	const pacer = new RequestPacer(setup.concurrency, clock);
	const connection = {
		baseUrl: 'https://app.flowella.io',
		apiKey: 'flo_simulated',
		timeoutMs: 30_000,
		retry: setup.retry ?? DEFAULT_RETRY,
		pacer,
		clock,
	};
	const node = { id: 'sim', name: 'Flowella', type: 'n8n-nodes-flowella.flowella', typeVersion: 1, position: [0, 0], parameters: {} };
	const ctx = {
		getNode: () => node,
		continueOnFail: () => true,
		getExecutionCancelSignal: () => undefined,
		helpers: { httpRequestWithAuthentication: async (_: string, options: IHttpRequestOptions) => await server.handle(options) },
	} as unknown as IExecuteFunctions;
	const phoneOf = (item: number) => `+3460${String(item).padStart(7, '0')}`;

	// Retry-After dates are read against Date.now(): it follows virtual time during the run.
	const realNow = Date.now;
	Date.now = () => clock.now();
	let output;
	try {
		output = await clock.run(
			runItems(ctx, setup.items, setup.concurrency, async (itemIndex, signal) => [
				{
					json: (await flowellaRequest(
						ctx,
						connection,
						{ method: 'POST', path: '/api/v1/contacts', body: { phone: phoneOf(itemIndex) }, itemIndex, signal, idempotent: true },
						contactRowProblem,
					)) as IDataObject,
					pairedItem: { item: itemIndex },
				},
			]),
		);
	} finally {
		Date.now = realNow;
	}

	const errors = output.filter((item) => item.json.error !== undefined).map((item) => String(item.json.error));
	const elapsedMs = server.lastSuccessAt - server.firstRequestAt;
	const idealMs = (Math.max(0, setup.items - setup.burst) / setup.ratePerSec) * 1000;
	return {
		succeeded: server.succeeded,
		failed: errors.length,
		requests: server.requests,
		rateLimited: server.rateLimited,
		elapsedMs,
		idealMs,
		fractionOfLimit: idealMs / elapsedMs,
		extra: server.rateLimited / setup.items,
		maxInFlight: server.maxInFlight,
		phones: output.map((item) => String(item.json.phone ?? '')),
		errors,
		pacer,
	};
}
