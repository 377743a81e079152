import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
} from 'n8n-workflow';

import type { Clock } from './clock';
import { realClock } from './clock';
import type { RefusalAdvice, RequestFailure } from './errors';
import { certainlyNotReceived, flowellaApiError, isRetryable } from './errors';
import type { RequestPacer } from './pacer';
import { redact } from './redact';
import type { RetryPolicy } from './retry';
import { backoffMs, retryAfterMs } from './retry';
import { failedItemOf, ItemStoppedError } from './cancel';

/** Checks a 2xx answer: says what is wrong with it (then it is an unexpected answer), or nothing. */
export type AnswerCheck = (body: unknown) => string | undefined;

export interface FlowellaConnection {
	baseUrl: string;
	apiKey: string;
	/** Finds the key (in any spelling) in texts from Flowella or lower layers, to scrub it out. */
	keyPattern?: RegExp;
	/**
	 * The credential, read once per execution and handed to n8n with every request, so n8n does
	 * not look it up and decrypt it again for each one (that cost about 40% of the node's time).
	 */
	credentials?: ICredentialDataDecryptedObject;
	timeoutMs: number;
	retry: RetryPolicy;
	/** Shared by every request of one execution. */
	pacer: RequestPacer;
	/** Real time in n8n; virtual time in the pacer's deterministic tests. */
	clock?: Clock;
}

export interface FlowellaRequest {
	method: IHttpRequestMethods;
	path: string;
	qs?: IDataObject;
	body?: object;
	itemIndex: number;
	/**
	 * Whether sending it twice does no harm (an upsert, a read). One that is not (a message) is
	 * retried only when it certainly did not reach Flowella.
	 */
	idempotent: boolean;
	/** What a request that is not safe to repeat sends, for its errors: "message", "bulk send job". */
	sends?: string;
	/** The operation's own advice for a refusal. */
	advice?: RefusalAdvice;
	/** When it aborts, no new attempt starts and any wait ends at once (Stop, a timeout, the node failing). */
	signal?: AbortSignal;
}

type Attempt =
	| { ok: true; body: unknown; statusCode: number }
	| { ok: false; failure: RequestFailure; retryAfterMs?: number };

interface FullResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

function parseJson(text: unknown): { ok: true; value: unknown } | { ok: false } {
	if (typeof text !== 'string') return { ok: true, value: text };
	try {
		return { ok: true, value: JSON.parse(text) as unknown };
	} catch {
		return { ok: false };
	}
}

function errorEnvelope(body: unknown): { code?: string; message?: string } {
	const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
	if (typeof error !== 'object' || error === null) return {};
	return {
		code: typeof error.code === 'string' ? error.code : undefined,
		message: typeof error.message === 'string' ? error.message : undefined,
	};
}

function classifyResponse(response: FullResponse, key: RegExp | undefined): Attempt {
	const { statusCode, headers } = response;
	// An answer that echoes the key must not carry it into an output item or an error. Only the
	// body is read: no response header is ever copied into an item.
	const parsed = parseJson(typeof response.body === 'string' ? redact(response.body, key) : response.body);
	if (statusCode >= 200 && statusCode < 300) {
		return parsed.ok
			? { ok: true, body: parsed.value, statusCode }
			: { ok: false, failure: { kind: 'invalidResponse', statusCode, problem: 'the body is not valid JSON' } };
	}
	if (statusCode >= 300 && statusCode < 400) {
		const location = typeof headers.location === 'string' ? redact(headers.location, key) : undefined;
		return { ok: false, failure: { kind: 'redirect', statusCode, location } };
	}
	const envelope = parsed.ok ? errorEnvelope(parsed.value) : {};
	return {
		ok: false,
		failure: {
			kind: 'http',
			statusCode,
			code: envelope.code === undefined ? undefined : redact(envelope.code, key),
			message: envelope.message === undefined ? undefined : redact(envelope.message, key),
		},
		retryAfterMs: retryAfterMs(headers['retry-after']),
	};
}

function classifyThrown(error: unknown, key: RegExp | undefined): Attempt {
	// n8n wraps the HTTP client's error; its cause holds the request config (and so the key): read two fields only.
	const wrapped = error as { cause?: { code?: unknown; message?: unknown }; code?: unknown; message?: unknown };
	const source = wrapped.cause && typeof wrapped.cause === 'object' ? wrapped.cause : wrapped;
	const code = typeof source.code === 'string' ? source.code : typeof wrapped.code === 'string' ? wrapped.code : 'NETWORK_ERROR';
	const message = typeof source.message === 'string' ? source.message : 'the connection failed';
	return { ok: false, failure: { kind: 'network', code, message: redact(message, key) } };
}

async function sendOnce(ctx: IExecuteFunctions, connection: FlowellaConnection, request: FlowellaRequest): Promise<Attempt> {
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${connection.baseUrl}${request.path}`,
		qs: request.qs,
		headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
		body: request.body === undefined ? undefined : JSON.stringify(request.body),
		encoding: 'text',
		json: false,
		timeout: connection.timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// A redirect could carry the Authorization header to another host: never follow one.
		disableFollowRedirect: true,
	};
	try {
		const credentialsDecrypted = connection.credentials && { id: '', name: '', type: 'flowellaApi', data: connection.credentials };
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			'flowellaApi',
			options,
			credentialsDecrypted && { credentialsDecrypted },
		)) as FullResponse;
		return classifyResponse(response, connection.keyPattern);
	} catch (error) {
		return classifyThrown(error, connection.keyPattern);
	}
}

/**
 * Sends one request, retrying only that request on 429, 5xx, network errors and unreadable
 * answers while the node's Retry On Fail budget lasts. Returns the parsed JSON body.
 */
export async function flowellaRequest(
	ctx: IExecuteFunctions,
	connection: FlowellaConnection,
	request: FlowellaRequest,
	validate: AnswerCheck = () => undefined,
): Promise<unknown> {
	const { retry, pacer, clock = realClock } = connection;
	const { signal, idempotent } = request;
	const stopped = (sent: boolean) =>
		new ItemStoppedError(ctx.getNode(), request.itemIndex, sent, idempotent, request.sends, failedItemOf(signal));
	// Whether an attempt so far may have reached Flowella: a 429 or a connection never made did not.
	let mayHaveArrived = false;
	for (let attempt = 1; ; attempt++) {
		if (signal?.aborted) throw stopped(mayHaveArrived);
		const startedAt = await pacer.acquire(signal);
		if (startedAt === undefined) throw stopped(mayHaveArrived);
		let result = await sendOnce(ctx, connection, request);
		if (result.ok) {
			const problem = validate(result.body);
			if (problem !== undefined) {
				result = { ok: false, failure: { kind: 'invalidResponse', statusCode: result.statusCode, problem } };
			}
		}
		const rateLimited = !result.ok && result.failure.kind === 'http' && result.failure.statusCode === 429;
		// A 429 is about the whole organisation: the pacer decides when requests go out again.
		pacer.release(result.ok ? 'success' : rateLimited ? 'rateLimited' : 'failure', startedAt, result.ok ? undefined : result.retryAfterMs);
		if (result.ok) return result.body;
		if (!certainlyNotReceived(result.failure)) mayHaveArrived = true;
		// Stopping (Stop, a timeout, another item failed the node): nothing is retried, and a request
		// that Stop aborted in flight is no failure of Flowella's. Refusals keep their own error.
		if (signal?.aborted && isRetryable(result.failure, true)) throw stopped(mayHaveArrived);

		// With Retry On Fail on, a 429 while requests sent after this one get through is the limit
		// at work, not a failed try: the pacer has slowed down, and the request waits its turn.
		const waitsItsTurn = rateLimited && retry.maxAttempts > 1 && attempt >= retry.maxAttempts && (await pacer.gotThroughAfter(startedAt, signal));
		if ((attempt >= retry.maxAttempts && !waitsItsTurn) || !isRetryable(result.failure, idempotent)) {
			throw flowellaApiError(ctx.getNode(), result.failure, {
				itemIndex: request.itemIndex,
				attempts: attempt,
				retryOnFail: retry.maxAttempts > 1,
				idempotent,
				sends: request.sends,
				advice: request.advice,
			});
		}
		if (waitsItsTurn) attempt -= 1;
		if (!rateLimited) await clock.sleep(backoffMs(retry, attempt, result.retryAfterMs), signal);
	}
}
