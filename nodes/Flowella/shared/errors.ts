import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

/** What went wrong with one request, stripped of anything that could carry the API key. */
export type RequestFailure =
	| { kind: 'http'; statusCode: number; code?: string; message?: string }
	| { kind: 'network'; code: string; message: string }
	| { kind: 'invalidResponse'; statusCode: number; problem: string }
	| { kind: 'redirect'; statusCode: number; location?: string };

export interface FailureContext {
	itemIndex: number;
	attempts: number;
	retryOnFail: boolean;
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
				return { message: `${head} (Flowella server error)`, description: retryAdvice(context) };
			}
			return {
				message: head,
				description: ADVICE_BY_STATUS[failure.statusCode] ?? 'Flowella refused the request.',
			};
		}
		case 'network':
			return {
				message: `The connection to Flowella failed (${failure.code}): ${failure.message}`,
				description: `Check the Base URL in the Flowella credential and the network. If the request got through, the contact may already be saved; sending it again is safe. ${retryAdvice(context)}`,
			};
		case 'invalidResponse':
			return {
				message: `Flowella answered ${failure.statusCode} with an unexpected body: ${failure.problem}`,
				description: `The contact may or may not have been saved. ${retryAdvice(context)}`,
			};
		case 'redirect':
			return {
				message: `Flowella answered ${failure.statusCode} redirecting to ${failure.location ?? 'an unknown address'}`,
				description:
					'Redirects are not followed, so the API key is never sent to another address. Set the Base URL in the Flowella credential to the final address.',
			};
	}
}

export function isRetryable(failure: RequestFailure): boolean {
	switch (failure.kind) {
		case 'http':
			return failure.statusCode === 429 || failure.statusCode >= 500;
		case 'network':
		case 'invalidResponse':
			// Upsert is idempotent, so sending it again cannot duplicate a contact.
			return true;
		case 'redirect':
			return false;
	}
}

export function flowellaApiError(node: INode, failure: RequestFailure, context: FailureContext): NodeApiError {
	const { message, description } = describe(failure, context);
	const fullMessage = `${message} [item ${context.itemIndex}]`;
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
	return error;
}
