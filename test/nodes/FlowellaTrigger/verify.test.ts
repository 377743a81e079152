/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// Signature and timestamp checks against vectors computed without the node's code: RFC 4231's
// published HMAC-SHA256 test cases, and the emulator's signer (emulator/webhooks.js).
import * as crypto from 'crypto';

import { checkTimestamp, computeSignature, MAX_CLOCK_SKEW_SECONDS, secretShapeProblem, signatureMatches } from '../../../nodes/FlowellaTrigger/verify';
import { signBody } from '../../../emulator/webhooks';

jest.mock('crypto', () => {
	const actual = jest.requireActual('crypto');
	return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

describe('computeSignature', () => {
	it.each([
		// RFC 4231 test case 2: key "Jefe".
		['Jefe', Buffer.from('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
		// RFC 4231 test case 1: the key is 20 bytes of 0x0b.
		['\x0b'.repeat(20), Buffer.from('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
	])('matches RFC 4231 for key %j', (key, data, expected) => {
		expect(computeSignature(key, data)).toBe(expected);
	});

	it('signs the raw bytes, so re-serialised JSON does not match', () => {
		const raw = Buffer.from('{ "event": "message.received",\n  "data": {"id": "msg_1", "text": "¡Hola! 👋"} }');
		const secret = 'whsec_0123456789abcdef';
		expect(computeSignature(secret, raw)).toBe(signBody(secret, raw));
		const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))));
		expect(computeSignature(secret, reserialised)).not.toBe(signBody(secret, raw));
	});
});

describe('signatureMatches', () => {
	const expected = computeSignature('whsec_0123456789abcdef', Buffer.from('{}'));
	const timingSafeEqual = crypto.timingSafeEqual as jest.MockedFunction<typeof crypto.timingSafeEqual>;
	beforeEach(() => timingSafeEqual.mockClear());

	it('accepts the right signature in either case, with surrounding spaces', () => {
		expect(signatureMatches(expected, expected)).toBe(true);
		expect(signatureMatches(expected, ` ${expected.toUpperCase()} `)).toBe(true);
	});

	it('compares equal-length digests in constant time, whichever byte differs', () => {
		const firstWrong = (expected[0] === 'a' ? 'b' : 'a') + expected.slice(1);
		const lastWrong = expected.slice(0, -1) + (expected.endsWith('a') ? 'b' : 'a');
		expect(signatureMatches(expected, firstWrong)).toBe(false);
		expect(signatureMatches(expected, lastWrong)).toBe(false);
		expect(timingSafeEqual).toHaveBeenCalledTimes(2);
		for (const [a, b] of timingSafeEqual.mock.calls) {
			expect((a as Buffer).length).toBe(32);
			expect((b as Buffer).length).toBe(32);
		}
	});

	it.each([undefined, '', 'sha256=' + 'a'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), 'g'.repeat(64)])(
		'refuses %j without comparing',
		(provided) => {
			expect(signatureMatches(expected, provided)).toBe(false);
			expect(timingSafeEqual).not.toHaveBeenCalled();
		},
	);
});

describe('checkTimestamp', () => {
	const now = 1_767_225_600_000; // 2026-01-01T00:00:00Z
	const at = (offsetSeconds: number) => String(now / 1000 + offsetSeconds);

	it('is a five-minute window, both edges inside', () => {
		expect(MAX_CLOCK_SKEW_SECONDS).toBe(300);
		for (const offset of [0, -300, 300, -299, 299]) expect(checkTimestamp(at(offset), now)).toBe('ok');
		for (const offset of [-301, 301, -3600, 86_400]) expect(checkTimestamp(at(offset), now)).toBe('outOfWindow');
	});

	it('counts whole seconds: 300.999 s in the past is still inside', () => {
		expect(checkTimestamp(at(-300), now + 999)).toBe('ok');
		expect(checkTimestamp(at(-300), now + 1000)).toBe('outOfWindow');
	});

	it('refuses a millisecond timestamp (Flowella sends seconds)', () => {
		expect(checkTimestamp(String(now), now)).toBe('malformed');
		expect(checkTimestamp(String(now / 100), now)).toBe('outOfWindow');
	});

	it.each([undefined, '', '  '])('reports %j as missing', (value) => expect(checkTimestamp(value, now)).toBe('missing'));
	it.each(['12a', '1.5', '-5', '0x10', '1e9', 'now'])('reports %j as malformed', (value) => expect(checkTimestamp(value, now)).toBe('malformed'));
});

describe('secretShapeProblem', () => {
	it.each([
		[undefined, /empty/],
		['   ', /empty/],
		['whsec_abc def0123456789', /spaces/],
		['flo_live_0123456789abcdef', /API key/],
		['short', /only 5 characters/],
	])('refuses %j', (secret, message) => expect(secretShapeProblem(secret)).toMatch(message));

	it('accepts a long secret, with the whitespace a copy adds around it', () => {
		expect(secretShapeProblem(' whsec_0123456789abcdef\n')).toBeUndefined();
	});
});
