import { CALLING_CODE_TABLE } from '../../../../nodes/Flowella/fields/callingCodes';
import { isValidCountryCode, normalizePhone } from '../../../../nodes/Flowella/fields/phone';

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
		['612345678', '34', '+34612345678'],
		[612345678, '34', '+34612345678'],
		['0612345678', '33', '+33612345678'],
		['06 12 34 56 78', '33', '+33612345678'],
		['(0)20 7946 0958', '44', '+442079460958'],
		['+34612345678', '44', '+34612345678'],
		['0034612345678', '44', '+34612345678'],
		['4155550132', '1', '+14155550132'],
		// Already international although a default code is set: too long to be a national number.
		['14155550132', '1', '+14155550132'],
		['1 (415) 555-0132', '1', '+14155550132'],
		// The trunk prefix: one 0 in most countries, 8 in Russia, 06 in Hungary; Italy dials its 0.
		['07911 123456', '44', '+447911123456'],
		['030 12345678', '49', '+493012345678'],
		['06 12345678', '31', '+31612345678'],
		['0412 345 678', '61', '+61412345678'],
		['090-1234-5678', '81', '+819012345678'],
		['050 123 4567', '358', '+358501234567'],
		['8 (916) 123-45-67', '7', '+79161234567'],
		['06 30 123 4567', '36', '+36301234567'],
		['06 1234 5678', '39', '+390612345678'],
		['0612345678', '39', '+390612345678'],
		['3123456789', '39', '+393123456789'],
		['7012345678', '7', '+77012345678'],
		['8 612 34567', '370', '+37061234567'],
		['8 029 491-19-11', '375', '+375294911911'],
		['8 0212 90-94-09', '375', '+375212909409'],
		['00 494 9708', '992', '+992004949708'],
		// (0) after the country code is the trunk prefix (Italy keeps its 0).
		['+34 (0) 612345678', '', '+34612345678'],
		['+44 (0)20 7946 0958', '', '+442079460958'],
		['0044 (0)20 7946 0958', '', '+442079460958'],
		['+44(0)7911123456', '', '+447911123456'],
		['+49 (0) 30 12345678', '', '+493012345678'],
		['+353 (0)87 123 4567', '', '+353871234567'],
		['+44 ( 0 ) 20 7946 0958', '', '+442079460958'],
		['+44 (0)20 7946 0958', '34', '+442079460958'],
		['+39 (0)6 1234 5678', '', '+390612345678'],
		['(0)6 12 34 56 78', '33', '+33612345678'],
		// Direction marks and zero-width characters that phones add when a number is copied.
		['\u200e+34 612 345 678\u200f', '', '+34612345678'],
		['\u202a+34612345678\u202c', '', '+34612345678'],
		['\u202b+34 612 34 56 78\u202c', '', '+34612345678'],
		['\u202d\u202e+34612345678', '', '+34612345678'],
		['\u2066+34 612 345 678\u2069', '', '+34612345678'],
		['\u2067+34612345678\u2068', '', '+34612345678'],
		['+34\u200b612\u200b345\u200b678', '', '+34612345678'],
		['\ufeff0612345678', '33', '+33612345678'],
		// Real numbers of many numbering plans, written internationally.
		['(+34) 612 345 678', '', '+34612345678'],
		['+7 916 123-45-67', '', '+79161234567'],
		['+81 90-1234-5678', '', '+819012345678'],
		['+39 06 1234 5678', '', '+390612345678'],
		['+39 312 345 6789', '', '+393123456789'],
		['+61 4 1234 5678', '', '+61412345678'],
		['+55 11 91234-5678', '', '+5511912345678'],
		['+91 98765 43210', '', '+919876543210'],
		['+971 50 123 4567', '', '+971501234567'],
		['+358 40 1234567', '', '+358401234567'],
		['+1 242 357 1234', '', '+12423571234'],
		['+52 55 1234 5678', '', '+525512345678'],
		['+86 138 0013 8000', '', '+8613800138000'],
		['+27 82 123 4567', '', '+27821234567'],
		['+234 803 123 4567', '', '+2348031234567'],
		['+49 30 12345678', '', '+493012345678'],
		['+225 07 07 12 34 56', '', '+2250707123456'],
		['+800 1234 5678', '', '+80012345678'],
		['5511912345678', '', '+5511912345678'],
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

	it.each([
		// Without a default code, digits must be a valid international number.
		['612340101', '', 'not an international number (read as +612340101, it has 7 digits after +61'],
		['612345678', '', 'not an international number'],
		['999123456', '', 'does not start with a known country calling code'],
		['+999 1234567', '', 'country calling code'],
		['+800 1234 567', '', '+800'],
		['+34 61234567', '', 'has 8 digits'],
		['+34 6123456789', '', 'has 10 digits'],
		['+34 112345678', '', 'does not start with 1'],
		['+1 415 555 013', '', 'has 9 digits'],
		['+61 2340101', '', 'has 7 digits'],
		// A trunk 0 written after the country code is not dialled from abroad.
		['+44 020 7946 0958', '', 'trunk'],
		['+49 030 12345678', '', 'trunk'],
		['0049 030 12345678', '', 'trunk'],
		// (0) anywhere but right after a country code, or where neither reading is a number.
		['+34 612 (0) 345678', '', '(0)'],
		['612 (0) 345678', '34', '(0)'],
		['+34 (0)(0) 612345678', '', '(0)'],
		// A default code does not make a wrong length right.
		['6123456', '34', 'has 7 digits'],
		['79111234', '44', 'has 8 digits'],
		['0612345678', '34', 'does not start with 0'],
		['612345678', '44', 'does not start with 6'],
		// Both readings are numbers: the rules cannot tell which one is meant.
		['4930123456', '49', 'could be'],
		['4915112345678', '49', 'could be'],
		// Both are numbers in libphonenumber's plan for Gabon, written the same way at home.
		['06 36 25 83', '241', 'could be +2416362583 or +24106362583'],
		// Tajikistan has national numbers starting with 00, the international prefix.
		['00 49 30123', '992', 'could be +4930123 or +992004930123'],
	])('refuses %j (default country code %j): %s', (input, countryCode, reasonPart) => {
		const result = normalizePhone(input, countryCode);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.reason).toContain(reasonPart);
	});

	// Issue 18 §3: a US number in national format is no other country's number, and a number whose +
	// a sheet dropped is no national number of the default country.
	it.each([
		['(319) 230-0698', '', 'looks like a national number'],
		['(608) 548-7183', '', 'looks like a national number'],
		['319 230 0698', '', 'looks like a national number'],
		['34612345678', '49', 'could be +4934612345678 or +34612345678'],
		['2015550123', '1', 'could be +12015550123 or +2015550123'],
	])('refuses %j (default country code %j): %s', (input, countryCode, reasonPart) => {
		const result = normalizePhone(input, countryCode);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.reason).toContain(reasonPart);
	});

	it.each([
		['(319) 230-0698', '1', '+13192300698'],
		['(201) 555-0123', '1', '+12015550123'],
		['(11) 91234-5678', '55', '+5511912345678'],
	])('reads %j with default country code %j as %s, its one reading', (input, countryCode, expected) => {
		expect(normalizePhone(input, countryCode)).toEqual({ ok: true, phone: expected });
	});

	// Issue 18 §3: digits without + that are also a national number of some country, as it writes them
	// at home (34612345678 is an Italian and a German number; 004930123 a Gabonese one), have two readings.
	it.each([
		[34612345678, ''],
		['34612345678', ''],
		['34612345678', '34'],
		['34 612 34 56 78', '34'],
		['33612345678', '33'],
		['447911123456', '44'],
		['447911123456', ''],
		['393123456789', '39'],
		['00 49 30123', ''],
		['14155550123', '49'],
	])('refuses %j (default country code %j): also a national number elsewhere', (input, countryCode) => {
		const result = normalizePhone(input, countryCode);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.reason).toMatch(/could be \+\d+ .*or a national number of another country.*write it with \+ and the country code/);
	});

	it("reads an Argentine mobile written at home (area code, 15, subscriber) as +54 9 …", () => {
		expect(normalizePhone('011 15-2345-6789', '54')).toEqual({ ok: true, phone: '+5491123456789' });
		expect(normalizePhone('0351 15 234-5678', '54')).toEqual({ ok: true, phone: '+5493512345678' });
	});

	it('names both readings when a number is ambiguous', () => {
		expect(normalizePhone('4930123456', '49')).toEqual({
			ok: false,
			reason: expect.stringMatching(/\+494930123456.*\+4930123456|\+4930123456.*\+494930123456/),
		});
	});

	it('reads a leading 00 as the international prefix, never as two trunk zeros', () => {
		expect(normalizePhone('0 044 20 7946 0958', '33')).toEqual({ ok: true, phone: '+442079460958' });
		// Not +33612345678 with two zeros dropped, and +61 2345678 is no Australian number either.
		expect(normalizePhone('0 0612345678', '33')).toEqual({ ok: false, reason: expect.stringContaining('+61') });
	});
});

describe('isValidCountryCode', () => {
	it.each(['1', '7', '34', '44', '358', '971', '800'])('accepts the calling code %s', (code) => {
		expect(isValidCountryCode(code)).toBe(true);
	});

	it.each(['', '0', '01', '999', '21', '1234', '+34', 'abc'])('refuses %j, which is not a calling code', (code) => {
		expect(isValidCountryCode(code)).toBe(false);
	});
});

describe('the calling-code table', () => {
	const codes = CALLING_CODE_TABLE.trim()
		.split('\n')
		.map((line) => line.split(' ')[0]);

	it('is a prefix code, so a number has at most one calling code', () => {
		for (const code of codes) {
			expect(codes.filter((other) => other !== code && code.startsWith(other))).toEqual([]);
		}
	});

	it('covers every country, territory and global service of ITU E.164 that libphonenumber knows', () => {
		expect(codes).toHaveLength(215);
		for (const code of ['1', '7', '20', '27', '30', '31', '44', '49', '52', '55', '61', '81', '86', '91', '212', '234', '290', '354', '380', '423', '500', '599', '670', '692', '800', '808', '850', '870', '878', '881', '882', '883', '888', '979', '998']) {
			expect(codes).toContain(code);
		}
	});
});
