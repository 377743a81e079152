import { normalizePhone } from '../../../../../nodes/Flowella/resources/contact/phone';

describe('normalizePhone', () => {
	// Values as they arrive from Google Sheets, Typeform, CSV imports and hand-typed forms.
	it.each([
		['+34612345678', '', '+34612345678'],
		['+34 612 34 56 78', '', '+34612345678'],
		['+34-612-345-678', '', '+34612345678'],
		['+1 (415) 555-0132', '', '+14155550132'],
		['+44 20.7946.0958', '', '+442079460958'],
		['  +34612345678  ', '', '+34612345678'],
		['+34\u00a0612\u00a0345\u00a0678', '', '+34612345678'],
		['+34\t612345678', '', '+34612345678'],
		['0034612345678', '', '+34612345678'],
		['0034 612 345 678', '', '+34612345678'],
		[34612345678, '', '+34612345678'],
		['34612345678', '', '+34612345678'],
		['612345678', '34', '+34612345678'],
		[612345678, '34', '+34612345678'],
		['0612345678', '33', '+33612345678'],
		['06 12 34 56 78', '33', '+33612345678'],
		['(0)20 7946 0958', '44', '+442079460958'],
		['+34612345678', '44', '+34612345678'],
		['0034612345678', '44', '+34612345678'],
		['4155550132', '1', '+14155550132'],
	])('cleans %j (default country code %j) to %s', (input, countryCode, expected) => {
		expect(normalizePhone(input, countryCode)).toEqual({ ok: true, phone: expected });
	});

	it.each([
		['', 'is empty'],
		['   ', 'is empty'],
		[undefined, 'is empty'],
		[null, 'is empty'],
		['0612345678', 'national number'],
		['+34 612 345 678 ext. 12', 'only digits'],
		['+34/612345678', 'only digits'],
		['phone', 'only digits'],
		['+0612345678', 'not an international'],
		['+1', 'not an international'],
		['+1234567890123456', 'not an international'],
		['++34612345678', 'only digits'],
		[3.4612345678e10 + 0.5, 'plain text'],
		[-34612345678, 'plain text'],
		[Number.MAX_SAFE_INTEGER * 10, 'plain text'],
		[true, 'not boolean'],
		[{ phone: '+34612345678' }, 'not object'],
		[['+34612345678'], 'not a list'],
	])('refuses %j (%s)', (input, reasonPart) => {
		const result = normalizePhone(input);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.reason).toContain(reasonPart);
	});

	it('drops only one trunk zero', () => {
		expect(normalizePhone('00612345678', '34')).toEqual({ ok: true, phone: '+612345678' });
		expect(normalizePhone('0 0612345678', '34')).toEqual({ ok: true, phone: '+612345678' });
	});
});
