/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// The API key is scrubbed from texts in every spelling a server or proxy echoes it.
import fc from 'fast-check';

import { keyPattern, redact } from '../../../../nodes/Flowella/transport/redact';

const KEY = 'flo_live_secret_77aa66bb55cc44dd33ee';

describe('redact', () => {
	it.each([
		[`key ${KEY} refused`, 'key [redacted] refused'],
		[`key ${KEY.toUpperCase()}`, 'key [redacted]'],
		[`masked ${KEY.slice(0, 12)}…${KEY.slice(-4)}.`, 'masked [redacted].'],
		[`masked ${KEY.slice(0, 12)}****${KEY.slice(-4)}`, 'masked [redacted]'],
		[`secret ${KEY.slice(4)}`, 'secret [redacted]'],
		['flo_live_other and 33ee', 'flo_live_other and 33ee'],
	])('%s', (text, expected) => {
		expect(redact(text, keyPattern(KEY))).toBe(expected);
	});

	it('leaves JSON valid, and no spelling of any key survives', () => {
		const keys = fc.stringMatching(/^flo_[A-Za-z0-9_]{12,40}$/);
		fc.assert(
			fc.property(keys, fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }), fc.constantFrom('asIs', 'lower', 'upper', 'noPrefix'), (key, words, spelling) => {
				const echoed = { asIs: key, lower: key.toLowerCase(), upper: key.toUpperCase(), noPrefix: key.slice(4) }[spelling];
				const json = JSON.stringify({ message: [...words, echoed, ...words].join(' ') });
				const out = redact(json, keyPattern(key));
				expect(() => JSON.parse(out)).not.toThrow();
				expect(out.toLowerCase()).not.toContain(key.slice(4).toLowerCase());
			}),
			{ numRuns: 2000 },
		);
	});

	it('a short (mistyped) key is replaced only as typed', () => {
		expect(redact('flo_ab and FLO_AB', keyPattern('flo_ab'))).toBe('[redacted] and [redacted]');
		expect(redact('anything', keyPattern(''))).toBe('anything');
	});
});
