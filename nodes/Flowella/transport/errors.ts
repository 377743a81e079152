import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

/** What went wrong with one request, stripped of anything that could carry the API key. */
export type RequestFailure =
	| { kind: 'http'; statusCode: number; code?: string; message?: string }
	| { kind: 'network'; code: string; message: string }
	| { kind: 'invalidResponse'; statusCode: number; problem: string }
	| { kind: 'redirect'; statusCode: number; location?: string };

/** Flowella's answer to a request it refused (a 4xx other than 429). */
export interface Refusal {
	statusCode: number;
	code?: string;
	message?: string;
}

/** The operation's own advice for a refusal, where it knows better (e.g. a 404 for an unknown channel). */
export type RefusalAdvice = (refusal: Refusal) => string | undefined;

export interface FailureContext {
	itemIndex: number;
	attempts: number;
	retryOnFail: boolean;
	/** Whether the request is safe to repeat: the advice on an unknown outcome depends on it. */
	idempotent: boolean;
	/** What a request that is not safe to repeat sends, in words: "message", "bulk send job". */
	sends?: string;
	advice?: RefusalAdvice;
}

// Errors that come before a single byte of the request is sent: nothing reached Flowella.
const NEVER_CONNECTED = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EADDRNOTAVAIL',
	'CERT_HAS_EXPIRED',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Whether Flowella certainly did not act on the request (so even a message may be sent again). */
export function certainlyNotReceived(failure: RequestFailure): boolean {
	if (failure.kind === 'http') return failure.statusCode === 429;
	return failure.kind === 'network' && NEVER_CONNECTED.has(failure.code);
}

/** Whether Flowella may have acted on a request that failed: it may have been stored, yet the answer was lost. */
function outcomeUnknown(failure: RequestFailure): boolean {
	if (failure.kind === 'http') return failure.statusCode >= 500;
	if (failure.kind === 'network') return !NEVER_CONNECTED.has(failure.code);
	return failure.kind === 'invalidResponse';
}

// Marks the error of an item whose request, not safe to repeat, may have been sent: n8n's re-run
// must not send it again. A mark on the error itself, so no process-wide list has to keep errors.
const MAYBE_SENT = Symbol('flowella.maybeSent');

export function markMaybeSent<T extends object>(error: T): T {
	Object.defineProperty(error, MAYBE_SENT, { value: true });
	return error;
}

export function mayHaveBeenSent(error: unknown): boolean {
	return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MAYBE_SENT] === true;
}

/** What to do when Flowella may have acted on the request: repeat it if that is safe, else check first. */
function unknownOutcome(context: FailureContext): string {
	return context.idempotent
		? `Flowella may or may not have received it; sending it again is safe. ${retryAdvice(context)}`
		: `The ${context.sends ?? 'request'} may have been sent: check in Flowella before sending it again. It was not retried, so it cannot arrive twice.`;
}

const ADVICE_BY_STATUS: Record<number, string> = {
	400: 'Flowella refused the data: correct the field it names.',
	401: 'Check the API key in the Flowella credential: it is missing, mistyped or revoked.',
	402: 'Your Flowella subscription does not cover this action: check your plan in Flowella, or ask whoever manages it.',
	403: 'Flowella does not allow this action for this key or contact: check the contact (e.g. opted out) and the key\'s organisation in Flowella.',
	404: 'Flowella could not find this resource. Check the Base URL in the Flowella credential.',
};

function retryAdvice(context: FailureContext): string {
	return context.retryOnFail
		? `Gave up after ${context.attempts} attempts; raise "Max. Tries" or "Wait Between Tries (ms)" in the node's settings, or lower the number of items per run.`
		: 'Turn on "Retry On Fail" in the node\'s settings so the node waits and retries only the requests that failed.';
}

function describe(failure: RequestFailure, context: FailureContext): { message: string; description: string } {
	switch (failure.kind) {
		case 'http': {
			// Without Flowella's error envelope (a proxy's HTML page, say) there is no code to show.
			const code = failure.code ? ` ${failure.code}` : ' without an error code';
			const said = failure.message ? `: ${failure.message}` : '';
			const head = `Flowella answered ${failure.statusCode}${code}${said}`;
			if (failure.statusCode === 429) {
				return { message: `${head} (rate limited)`, description: retryAdvice(context) };
			}
			if (failure.statusCode >= 500) {
				return { message: `${head} (Flowella server error)`, description: unknownOutcome(context) };
			}
			return {
				message: head,
				description: context.advice?.(failure) ?? ADVICE_BY_STATUS[failure.statusCode] ?? 'Flowella refused the request.',
			};
		}
		case 'network':
			return {
				message: `The connection to Flowella failed (${failure.code}): ${failure.message}`,
				description: certainlyNotReceived(failure)
					? `Check the Base URL in the Flowella credential and the network: the request did not reach Flowella. ${retryAdvice(context)}`
					: `Check the Base URL in the Flowella credential and the network. ${unknownOutcome(context)}`,
			};
		case 'invalidResponse':
			return {
				message: `Flowella answered ${failure.statusCode} with an unexpected body: ${failure.problem}`,
				description: unknownOutcome(context),
			};
		case 'redirect':
			return {
				message: `Flowella answered ${failure.statusCode} redirecting to ${failure.location ?? 'an unknown address'}`,
				description:
					'Redirects are not followed, so the API key is never sent to another address. Set the Base URL in the Flowella credential to the final address.',
			};
	}
}

/** Whether a retry may fix it, and may be sent: a request that is not safe to repeat goes again only if it never arrived. */
export function isRetryable(failure: RequestFailure, idempotent: boolean): boolean {
	if (!idempotent) return certainlyNotReceived(failure);
	switch (failure.kind) {
		case 'http':
			return failure.statusCode === 429 || failure.statusCode >= 500;
		case 'network':
		case 'invalidResponse':
			return true;
		case 'redirect':
			return false;
	}
}

export function flowellaApiError(node: INode, failure: RequestFailure, context: FailureContext): NodeApiError {
	const { message, description } = describe(failure, context);
	const maybeSent = !context.idempotent && outcomeUnknown(failure);
	// Said in the message too: an AI agent calling the node as a tool sees only the message.
	const fullMessage = maybeSent
		? `${message}; the ${context.sends ?? 'request'} may have been sent, so it was not retried; check in Flowella before sending it again [item ${context.itemIndex}]`
		: `${message} [item ${context.itemIndex}]`;
	// Only plain fields: `code` is renamed because n8n swaps a message for its own generic text
	// when it sees a network error code there.
	const response: JsonObject = { kind: failure.kind, attempts: context.attempts };
	if (failure.kind === 'http') response.flowellaCode = failure.code ?? null;
	if (failure.kind === 'network') response.networkCode = failure.code;
	const error = new NodeApiError(node, response, {
		message: fullMessage,
		description,
		httpCode: failure.kind === 'network' ? undefined : String(failure.statusCode),
		itemIndex: context.itemIndex,
	});
	// n8n also rewrites messages that merely mention a network code; ours already say what happened.
	error.message = fullMessage;
	return maybeSent ? markMaybeSent(error) : error;
}
