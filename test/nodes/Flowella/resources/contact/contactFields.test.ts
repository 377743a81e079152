import { buildUpsertRequest } from '../../../../support/upsertBody';
import type { UpsertInput } from '../../../../support/upsertBody';

const input = (overrides: Partial<UpsertInput> = {}): UpsertInput => ({
	phone: '+34612345678',
	additionalFields: {},
	emptyValues: 'skip',
	defaultCountryCode: '',
	...overrides,
});

describe('buildUpsertRequest', () => {
	it('sends only the phone when no field is added', () => {
		expect(buildUpsertRequest(input())).toEqual({ ok: true, body: { phone: '+34612345678' } });
	});

	it('maps added fields, trimming spreadsheet whitespace', () => {
		const result = buildUpsertRequest(
			input({ additionalFields: { name: '  Ana García ', email: 'ana@example.com ', waId: '34612345678' } }),
		);
		expect(result).toEqual({
			ok: true,
			body: { phone: '+34612345678', name: 'Ana García', email: 'ana@example.com', waId: '34612345678' },
		});
	});

	// 34612345678 is also an Italian and a German national number (issue 18 §3): a Brazilian mobile is not.
	it('turns numeric cells into text', () => {
		const result = buildUpsertRequest(input({ phone: 5511912345678, additionalFields: { waId: 5511912345678, name: 42 } }));
		expect(result).toEqual({ ok: true, body: { phone: '+5511912345678', waId: '5511912345678', name: '42' } });
	});

	it.each([[''], ['   '], [null], [undefined]])('skips an empty value %j by default', (empty) => {
		const result = buildUpsertRequest(input({ additionalFields: { name: empty, email: empty, waId: empty } }));
		expect(result).toEqual({ ok: true, body: { phone: '+34612345678' } });
	});

	it.each([[''], ['  '], [null]])('clears with null for an empty value %j when asked', (empty) => {
		const result = buildUpsertRequest(input({ emptyValues: 'clear', additionalFields: { name: empty, email: 'a@b.io' } }));
		expect(result).toEqual({ ok: true, body: { phone: '+34612345678', name: null, email: 'a@b.io' } });
	});

	it('never clears a field that was not added', () => {
		const result = buildUpsertRequest(input({ emptyValues: 'clear', additionalFields: { name: '' } }));
		expect(result.ok && Object.keys(result.body)).toEqual(['phone', 'name']);
	});

	it('applies the default country code to the phone', () => {
		expect(buildUpsertRequest(input({ phone: '612 34 56 78', defaultCountryCode: '34' }))).toEqual({
			ok: true,
			body: { phone: '+34612345678' },
		});
	});

	it.each([
		[{ phone: '0612' }, 'phone'],
		[{ phone: '' }, 'phone'],
		[{ additionalFields: { name: 'x'.repeat(201) } }, 'name'],
		[{ additionalFields: { waId: '1'.repeat(65) } }, 'waId'],
		[{ additionalFields: { email: 'not-an-email' } }, 'email'],
		[{ additionalFields: { email: 'a@b' } }, 'email'],
		[{ additionalFields: { email: 'two@at@signs.com' } }, 'email'],
		[{ additionalFields: { name: { first: 'Ana' } } }, 'name'],
		[{ additionalFields: { email: ['a@b.io'] } }, 'email'],
		[{ additionalFields: { waId: true } }, 'waId'],
	])('names the field of a bad value %j', (overrides, field) => {
		const result = buildUpsertRequest(input(overrides as Partial<UpsertInput>));
		expect(result).toMatchObject({ ok: false, field });
	});

	// What a `format: email` validator (ajv-formats, zod) refuses is refused here, before sending.
	it.each([
		['ana..b@x.com'],
		['.ana@x.com'],
		['ana.@x.com'],
		['ana@-x.com'],
		['ana@x-.com'],
		['ana@x_y.com'],
		['ana@x.123'],
		['ana@x.c'],
		['ana@x..com'],
		['ana@.x.com'],
		['ana@x.com.'],
		['ana@x.-com'],
		[`ana@${'a'.repeat(64)}.com`],
		['a na@x.com'],
		['ana@x com.es'],
		['"ana"@x.com'],
		['ana(x)@x.com'],
		['ana@[127.0.0.1]'],
		['ana@127.0.0.1'],
		['ána@x.com'],
		['ana@café.es'],
		['@x.com'],
		['ana@'],
		[`${'a'.repeat(250)}@x.com`],
	])('refuses the email %j', (email) => {
		expect(buildUpsertRequest(input({ additionalFields: { email } }))).toMatchObject({
			ok: false,
			field: 'email',
			reason: expect.stringContaining('not an email address'),
		});
	});

	it.each([
		['ana@example.com'],
		['ANA.GARCIA@EXAMPLE.ES'],
		['ana+news@mail.example.co.uk'],
		["o'brien@example.ie"],
		["a!#$%&'*+/=?^_`{|}~-b@x.io"],
		['a.b.c@x-y.z9.com'],
		['a@b.co'],
		['ana@xn--caf-dma.es'],
		['ana@example.xn--p1ai'],
		['ana@1x.com'],
		[`ana@${'a'.repeat(63)}.com`],
	])('accepts the email %j', (email) => {
		expect(buildUpsertRequest(input({ additionalFields: { email } }))).toEqual({
			ok: true,
			body: { phone: '+34612345678', email },
		});
	});

	it.each([
		[1e21, 'name'],
		[1e21, 'waId'],
		// eslint-disable-next-line no-loss-of-precision -- on purpose: a number too big to keep its digits
		[12345678901234567890, 'waId'],
		[Number.MAX_SAFE_INTEGER + 1, 'waId'],
		[1e-7, 'name'],
		[-1e21, 'name'],
	])('refuses the number %j as %s: it cannot be written exactly', (value, field) => {
		expect(buildUpsertRequest(input({ additionalFields: { [field]: value } }))).toMatchObject({
			ok: false,
			field,
			reason: expect.stringContaining('format the column as plain text'),
		});
	});

	it.each([
		[Number.MAX_SAFE_INTEGER, 'waId', '9007199254740991'],
		[34612345678, 'waId', '34612345678'],
		[3.5, 'name', '3.5'],
		[0.1, 'name', '0.1'],
		[-0, 'name', '0'],
		[-42, 'name', '-42'],
		[BigInt('123456789012345678901234'), 'waId', '123456789012345678901234'],
	])('writes the number %p as %s exactly', (value, field, text) => {
		expect(buildUpsertRequest(input({ additionalFields: { [field]: value } }))).toEqual({
			ok: true,
			body: { phone: '+34612345678', [field]: text },
		});
	});

	it('accepts values right at the contract limits', () => {
		const result = buildUpsertRequest(input({ additionalFields: { name: 'x'.repeat(200), waId: '1'.repeat(64) } }));
		expect(result.ok).toBe(true);
	});

	it('ignores keys that are not fields, including prototype keys', () => {
		const additionalFields = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "x", "name": "Ana"}');
		const result = buildUpsertRequest(input({ additionalFields }));
		expect(result).toEqual({ ok: true, body: { phone: '+34612345678', name: 'Ana' } });
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});
});
