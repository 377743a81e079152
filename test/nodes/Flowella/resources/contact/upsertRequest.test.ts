import { buildUpsertRequest } from '../../../../../nodes/Flowella/resources/contact/upsertRequest';
import type { UpsertInput } from '../../../../../nodes/Flowella/resources/contact/upsertRequest';

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

	it('turns numeric cells into text', () => {
		const result = buildUpsertRequest(input({ phone: 34612345678, additionalFields: { waId: 34612345678, name: 42 } }));
		expect(result).toEqual({ ok: true, body: { phone: '+34612345678', waId: '34612345678', name: '42' } });
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
