import type { INode } from 'n8n-workflow';

import type { RequestFailure } from '../../../../nodes/Flowella/transport/errors';
import { certainlyNotReceived, flowellaApiError, isRetryable, mayHaveBeenSent } from '../../../../nodes/Flowella/transport/errors';

const node = { id: '1', name: 'Flowella', type: 'flowella', typeVersion: 1, position: [0, 0], parameters: {} } as INode;

const failures: Array<[string, RequestFailure, boolean]> = [
	['429', { kind: 'http', statusCode: 429, code: 'RATE_LIMITED' }, true],
	['connection refused', { kind: 'network', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, true],
	['DNS', { kind: 'network', code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' }, true],
	['TLS certificate', { kind: 'network', code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, true],
	['500', { kind: 'http', statusCode: 500, code: 'INTERNAL_ERROR' }, false],
	['502 without envelope', { kind: 'http', statusCode: 502 }, false],
	['reset mid-response', { kind: 'network', code: 'ECONNRESET', message: 'socket hang up' }, false],
	['timeout', { kind: 'network', code: 'ECONNABORTED', message: 'timeout of 30000ms exceeded' }, false],
	['unreadable 2xx', { kind: 'invalidResponse', statusCode: 200, problem: 'the body is not valid JSON' }, false],
];

describe('retries by whether a request is safe to repeat', () => {
	it.each(failures)('%s: a request that is not safe to repeat goes again only if Flowella certainly did not get it', (_, failure, notReceived) => {
		expect(certainlyNotReceived(failure)).toBe(notReceived);
		expect(isRetryable(failure, false)).toBe(notReceived);
	});

	it.each(failures)('%s: a request that is safe to repeat is retried', (_, failure) => {
		expect(isRetryable(failure, true)).toBe(true);
	});

	it('never retries a refusal or a redirect, safe or not', () => {
		for (const idempotent of [true, false]) {
			expect(isRetryable({ kind: 'http', statusCode: 400, code: 'VALIDATION_ERROR' }, idempotent)).toBe(false);
			expect(isRetryable({ kind: 'http', statusCode: 403, code: 'FORBIDDEN' }, idempotent)).toBe(false);
			expect(isRetryable({ kind: 'redirect', statusCode: 307 }, idempotent)).toBe(false);
		}
	});
});

describe('what an error says when the outcome is unknown', () => {
	const context = { itemIndex: 3, attempts: 1, retryOnFail: true };

	it('for a request that is not safe to repeat: it may have been sent, check before sending again', () => {
		const error = flowellaApiError(node, { kind: 'http', statusCode: 503 }, { ...context, idempotent: false });
		expect(error.message).toBe('Flowella answered 503 without an error code (Flowella server error); the request may have been sent, so it was not retried; check in Flowella before sending it again [item 3]');
		expect(error.description).toMatch(/may have been sent: check in Flowella before sending it again/);
	});

	it('for one that is safe to repeat: sending it again is safe', () => {
		const error = flowellaApiError(node, { kind: 'network', code: 'ECONNRESET', message: 'socket hang up' }, { ...context, idempotent: true });
		expect(error.description).toMatch(/sending it again is safe/);
	});

	it('says when the request did not reach Flowella at all', () => {
		const error = flowellaApiError(node, { kind: 'network', code: 'ECONNREFUSED', message: 'refused' }, { ...context, idempotent: false });
		expect(error.description).toMatch(/the request did not reach Flowella/);
	});

	it("uses the operation's own advice for a refusal where it has one, else the generic one", () => {
		const advice = ({ statusCode }: { statusCode: number }) => (statusCode === 404 ? 'Check the WhatsApp Channel ID.' : undefined);
		const error = flowellaApiError(node, { kind: 'http', statusCode: 404, code: 'NOT_FOUND' }, { ...context, idempotent: false, advice });
		expect(error.description).toBe('Check the WhatsApp Channel ID.');
		const other = flowellaApiError(node, { kind: 'http', statusCode: 401, code: 'UNAUTHORIZED' }, { ...context, idempotent: false, advice });
		expect(other.description).toMatch(/API key/);
	});

	it.each([
		[{ kind: 'http', statusCode: 502 } as const, true],
		[{ kind: 'network', code: 'ECONNRESET', message: 'socket hang up' } as const, true],
		[{ kind: 'network', code: 'ETIMEDOUT', message: 'timeout' } as const, true],
		[{ kind: 'invalidResponse', statusCode: 200, problem: 'not JSON' } as const, true],
		[{ kind: 'network', code: 'ECONNREFUSED', message: 'refused' } as const, false],
		[{ kind: 'http', statusCode: 429 } as const, false],
		[{ kind: 'http', statusCode: 400, code: 'VALIDATION_ERROR' } as const, false],
	])('a message that failed with %j may have been sent: %s (said in the message, marked for re-runs)', (failure, maybe) => {
		const error = flowellaApiError(node, failure, { ...context, idempotent: false, sends: 'message' });
		expect(mayHaveBeenSent(error)).toBe(maybe);
		expect(/the message may have been sent, so it was not retried/.test(error.message)).toBe(maybe);
		if (maybe) expect(error.description).toMatch(/The message may have been sent: check in Flowella before sending it again/);
		// The same failure of a request that is safe to repeat is never "maybe sent".
		expect(mayHaveBeenSent(flowellaApiError(node, failure, { ...context, idempotent: true }))).toBe(false);
	});
});
