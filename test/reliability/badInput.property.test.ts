/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// Whatever a sheet, a form or an AI agent hands the node, each item becomes either a request whose
// body is exactly what Flowella's contract allows, or a per-item validation error: never a crash,
// never a body the contract refuses, never prototype pollution. The contract check is the
// emulator's own validator, which shares no code with the node.
import fc from 'fast-check';

import { startEmulator, validateContactBody } from '../../emulator/server';
import type { FlowellaEmulator } from '../../emulator/server';
import { normalizePhone } from '../../nodes/Flowella/fields/phone';
import { buildUpsertRequest } from '../support/upsertBody';
import type { UpsertInput } from '../support/upsertBody';
import { rowParameters, runFlowellaWorkflow } from '../support/harness';
import { writeResults } from '../support/reliability';

const SEED = 20251125;
const UNIT_RUNS = 4000;
const ENGINE_ROWS = 300;
const CONTRACT_KEYS = ['phone', 'name', 'email', 'waId'];
const OPTIONAL_FIELDS = ['name', 'email', 'waId'] as const;

// ---- generators -------------------------------------------------------------------------

const NOISE = [
	' ', '\u00a0', '\t', '\n', '\r', '.', '-', '(', ')', '+', '00', '/', '#', '*', 'ext. 12', 'x', 'O', 'l',
	'\u200e', '\u200f', '\u202e', '\u2066', '\u2069', '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\ufeff',
	'\u2028', '\u3000', '\u00ad', '\u200b', '１２', '٣٤', '۵', '😀', '👍🏽', '👨‍👩‍👧', 'שלום', 'مرحبا', '\ud800', 'e\u0301',
	'"', "'", '\\', '<script>', '${', '{{ $json }}', '=1+1',
];
const noise = fc.constantFrom(...NOISE);
const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 17 });
const phoneString = fc
	.tuple(
		fc.constantFrom('', '', '+', '00', '0', '+0', '++', ' +', '(+'),
		fc.array(fc.oneof({ weight: 4, arbitrary: digits }, { weight: 1, arbitrary: noise }), { maxLength: 6 }),
	)
	.map(([prefix, parts]) => prefix + parts.join(''));

// ---- real numbers, written the ways people write them ------------------------------------

/**
 * Real numbers of many numbering plans (libphonenumber's example numbers, and a few landlines):
 * calling code, national significant number, the trunk prefix dialled before it at home, and the
 * longest national number of that country where all have one length. Only the first three digits
 * of the national number are kept when generating, so every generated number is one of that plan.
 */
interface KnownNumber {
	cc: string;
	nsn: string;
	trunk: string;
	longestNational?: number;
}
const KNOWN_NUMBERS: KnownNumber[] = [
	{ cc: '34', nsn: '612345678', trunk: '', longestNational: 9 },
	{ cc: '34', nsn: '912345678', trunk: '', longestNational: 9 },
	{ cc: '33', nsn: '612345678', trunk: '0', longestNational: 9 },
	{ cc: '33', nsn: '123456789', trunk: '0', longestNational: 9 },
	{ cc: '44', nsn: '7400123456', trunk: '0', longestNational: 10 },
	{ cc: '44', nsn: '2079460958', trunk: '0', longestNational: 10 },
	{ cc: '49', nsn: '15123456789', trunk: '0' },
	{ cc: '49', nsn: '301234567', trunk: '0' },
	{ cc: '39', nsn: '3123456789', trunk: '' },
	{ cc: '39', nsn: '0212345678', trunk: '' },
	{ cc: '1', nsn: '2015550123', trunk: '1', longestNational: 10 },
	{ cc: '1', nsn: '5062345678', trunk: '1', longestNational: 10 },
	{ cc: '55', nsn: '11961234567', trunk: '0' },
	{ cc: '52', nsn: '2221234567', trunk: '', longestNational: 10 },
	{ cc: '7', nsn: '9123456789', trunk: '8', longestNational: 10 },
	{ cc: '7', nsn: '7710009998', trunk: '8', longestNational: 10 },
	{ cc: '36', nsn: '201234567', trunk: '06' },
	{ cc: '31', nsn: '612345678', trunk: '0' },
	{ cc: '32', nsn: '450001234', trunk: '0' },
	{ cc: '351', nsn: '912345678', trunk: '', longestNational: 9 },
	{ cc: '353', nsn: '850123456', trunk: '0' },
	{ cc: '41', nsn: '781234567', trunk: '0' },
	{ cc: '43', nsn: '664123456', trunk: '0' },
	{ cc: '48', nsn: '512345678', trunk: '' },
	{ cc: '46', nsn: '701234567', trunk: '0' },
	{ cc: '45', nsn: '34412345', trunk: '', longestNational: 8 },
	{ cc: '358', nsn: '412345678', trunk: '0' },
	{ cc: '91', nsn: '8123456789', trunk: '0' },
	{ cc: '86', nsn: '13123456789', trunk: '0' },
	{ cc: '81', nsn: '9012345678', trunk: '0' },
	{ cc: '81', nsn: '312345678', trunk: '0' },
	{ cc: '82', nsn: '1020000000', trunk: '0' },
	{ cc: '61', nsn: '412345678', trunk: '0' },
	{ cc: '61', nsn: '212345678', trunk: '0' },
	{ cc: '64', nsn: '211234567', trunk: '0' },
	{ cc: '27', nsn: '711234567', trunk: '0' },
	{ cc: '234', nsn: '8021234567', trunk: '0' },
	{ cc: '254', nsn: '712123456', trunk: '0' },
	{ cc: '20', nsn: '1001234567', trunk: '0' },
	{ cc: '212', nsn: '650123456', trunk: '0' },
	{ cc: '90', nsn: '5012345678', trunk: '0' },
	{ cc: '971', nsn: '501234567', trunk: '0' },
	{ cc: '966', nsn: '512345678', trunk: '0' },
	{ cc: '972', nsn: '502345678', trunk: '0' },
	{ cc: '65', nsn: '81234567', trunk: '' },
	{ cc: '852', nsn: '51234567', trunk: '' },
	{ cc: '62', nsn: '812345678', trunk: '0' },
	{ cc: '63', nsn: '9051234567', trunk: '0' },
	{ cc: '84', nsn: '912345678', trunk: '0' },
	{ cc: '225', nsn: '0123456789', trunk: '' },
	{ cc: '57', nsn: '3211234567', trunk: '0' },
	{ cc: '56', nsn: '221234567', trunk: '' },
	{ cc: '51', nsn: '912345678', trunk: '0' },
	{ cc: '30', nsn: '6912345678', trunk: '' },
	{ cc: '380', nsn: '501234567', trunk: '0' },
];
// Calling codes no country has (ITU spare codes): nothing after them is a phone number.
const SPARE_CODES = ['210', '259', '280', '295', '384', '422', '671', '693', '801', '830', '854', '871', '890', '969', '990', '997', '999'];

const SEPARATORS = ['', ' ', ' ', '-', '.', '\u00a0', '\t', ' - ', '  '];
// Marks phones wrap around copied numbers: direction marks, embeddings, isolates, zero-width space, BOM.
const INVISIBLE = ['\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200b', '\ufeff'];

/** The digits cut into groups with separators, maybe one group in parentheses, maybe invisible marks around. */
const spacedOut = (digits: string) =>
	fc
		.record({
			sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 12, maxLength: 12 }),
			separators: fc.array(fc.constantFrom(...SEPARATORS), { minLength: 12, maxLength: 12 }),
			parenthesised: fc.integer({ min: -1, max: 3 }),
			marks: fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.constantFrom(...INVISIBLE)), { maxLength: 3 }),
		})
		.map(({ sizes, separators, parenthesised, marks }) => {
			const groups: string[] = [];
			for (let at = 0, k = 0; at < digits.length; k++) {
				const group = digits.slice(at, at + sizes[k % sizes.length]);
				// "(0)" has a meaning of its own (a trunk 0), so a lone 0 is never put in parentheses.
				groups.push(k === parenthesised && group !== '0' ? `(${group})` : group);
				at += group.length;
			}
			for (const [position, mark] of marks) {
				const index = Math.min(position, groups.length);
				groups.splice(index, 0, mark);
			}
			return groups.map((group, k) => (k === 0 ? group : `${separators[k % separators.length]}${group}`)).join('');
		});

/** A number of the same plan as a known one: its first three digits kept, the rest random. */
const knownNumber = fc
	.tuple(fc.constantFrom(...KNOWN_NUMBERS), fc.array(fc.constantFrom(...'0123456789'), { minLength: 14, maxLength: 14 }))
	.map(([known, tail]) => ({ ...known, nsn: known.nsn.slice(0, 3) + tail.slice(0, known.nsn.length - 3).join('') }));

/**
 * A value with two readings that fit (issue 18 §3: national under the default code, or international
 * with its + dropped, as (1)3109049499 with 86 is also +1 310 904 9499) is refused naming both; the
 * number meant must be one of them.
 */
function refusedAsAmbiguous(reason: string, expected: string): boolean {
	return reason.startsWith('could be ') && reason.split(':')[0].split(/[\s(),]+/).includes(expected);
}

/** A real number written in one of the ways docs/contacts.md says are read, with the Default Country Code that goes with it. */
interface WrittenNumber {
	phone: unknown;
	defaultCountryCode: string;
	expected: string;
	how: string;
}
const otherCode = fc.constantFrom('', '34', '1', '44', '358', '971');
const writtenNumber: fc.Arbitrary<WrittenNumber> = knownNumber.chain((known) => {
	const expected = `+${known.cc}${known.nsn}`;
	const ways: Array<fc.Arbitrary<WrittenNumber>> = [
		fc.tuple(spacedOut(known.nsn), fc.constantFrom('+', '+ ', '00', '00 ', '(+', '+('), otherCode).map(([rest, plus, defaultCountryCode]) => ({
			phone: plus.endsWith('(') ? `${plus}${known.cc}) ${rest}` : `${plus}${known.cc} ${rest}`,
			defaultCountryCode,
			expected,
			how: 'international',
		})),
		// The national number with its trunk prefix (or, where there is none, as it is), and the default code.
		spacedOut(`${known.trunk}${known.nsn}`).map((phone) => ({ phone, defaultCountryCode: known.cc, expected, how: 'national' })),
	];
	if (known.trunk === '0') {
		ways.push(
			// The trunk 0 left out (a numeric cell drops it), or written "(0)" after the country code.
			spacedOut(known.nsn).map((phone) => ({ phone, defaultCountryCode: known.cc, expected, how: 'national without its 0' })),
			fc.tuple(spacedOut(known.nsn), otherCode).map(([rest, defaultCountryCode]) => ({
				phone: `+${known.cc} (0) ${rest}`,
				defaultCountryCode,
				expected,
				how: '(0) after the country code',
			})),
		);
	}
	if (known.longestNational !== undefined && known.cc.length + known.nsn.length > known.longestNational) {
		// Digits that already carry the default code: longer than any national number of that country.
		ways.push(
			spacedOut(`${known.cc}${known.nsn}`).map((phone) => ({ phone, defaultCountryCode: known.cc, expected, how: 'with the code, no +' })),
			fc.constant({ phone: Number(`${known.cc}${known.nsn}`), defaultCountryCode: known.cc, expected, how: 'a numeric cell with the code' }),
		);
	}
	if (!known.nsn.startsWith('0')) {
		// Without a default code, digits are read as international (as WhatsApp and spreadsheets write them).
		ways.push(
			fc.constant({ phone: `${known.cc}${known.nsn}`, defaultCountryCode: '', expected, how: 'international digits' }),
			fc.constant({ phone: Number(`${known.cc}${known.nsn}`), defaultCountryCode: '', expected, how: 'a numeric cell' }),
		);
	}
	return fc.oneof(...ways);
});

/** Numbers that break a rule of the contract, each refused whatever the formatting. */
const wrongNumber = fc.oneof(
	// Spain's numbers all have 9 digits.
	fc
		.tuple(fc.integer({ min: 1, max: 12 }).filter((length) => length !== 9), fc.array(fc.constantFrom(...'0123456789'), { maxLength: 12 }))
		.map(([length, digits]) => ({ phone: `+34 6${digits.join('').padEnd(length - 1, '5').slice(0, length - 1)}`, defaultCountryCode: '' })),
	// A calling code no country has.
	fc
		.tuple(fc.constantFrom(...SPARE_CODES), fc.array(fc.constantFrom(...'0123456789'), { minLength: 4, maxLength: 11 }))
		.map(([code, digits]) => ({ phone: `+${code} ${digits.join('')}`, defaultCountryCode: '' })),
	// A national number (trunk 0) with no country code to go with it.
	knownNumber.filter((known) => known.trunk === '0').map((known) => ({ phone: `0${known.nsn}`, defaultCountryCode: '' })),
	// A letter or a symbol inside a real number.
	fc
		.tuple(knownNumber, fc.constantFrom('O', 'l', 'x', 'ext', '/', '#', '*', '１', '٣'), fc.integer({ min: 1, max: 8 }))
		.map(([known, extra, at]) => ({ phone: `+${known.cc}${known.nsn.slice(0, at)}${extra}${known.nsn.slice(at)}`, defaultCountryCode: '' })),
);
const internationalPhone = knownNumber.map((known) => `+${known.cc}${known.nsn}`);
const hugeString = fc
	.tuple(fc.constantFrom('a', '😀', 'ש', '\u0000', ' ', '1', 'é'), fc.integer({ min: 60, max: 20_000 }))
	.map(([unit, count]) => unit.repeat(count));
const weirdString = fc.oneof(
	fc.string({ unit: 'binary', maxLength: 40 }),
	fc.string({ unit: 'grapheme', maxLength: 40 }),
	fc.array(noise, { maxLength: 8 }).map((parts) => parts.join('')),
	fc.constantFrom('', ' ', '\t\n', '\u00a0', 'null', 'undefined', '__proto__', 'constructor', 'NaN', '[object Object]'),
);
const wrongType = fc.oneof(
	fc.integer({ min: -1e6, max: 1e15 }),
	fc.double(),
	fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e21, 34612345678, 612345678),
	fc.boolean(),
	fc.constant(null),
	fc.constant(undefined),
	fc.bigInt({ min: BigInt(-1e6), max: BigInt('999999999999999999') }),
	fc.object({ maxDepth: 2, maxKeys: 3 }),
	fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
	fc.constant({ __proto__: { phone: '+34612345678' } }),
	fc.constant(JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}')),
);
const emailLike = fc.oneof(
	fc.emailAddress(),
	fc.tuple(weirdString, weirdString, fc.constantFrom('com', 'es', 'co.uk', 'x', '', '😀😀')).map(([local, domain, tld]) => `${local}@${domain}.${tld}`),
	fc.constantFrom('ana@example.com', ' ana@example.com ', 'ana@example', 'ana@@example.com', 'ana@exa mple.com', '"a b"@example.com', 'a@b.c'),
);
const anyValue = fc.oneof(phoneString, weirdString, hugeString, wrongType, emailLike);
const fieldValue = {
	phone: fc.oneof({ weight: 2, arbitrary: phoneString }, { weight: 4, arbitrary: internationalPhone }, { weight: 2, arbitrary: anyValue }),
	name: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 210 }), hugeString, anyValue),
	email: fc.oneof(emailLike, anyValue),
	waId: fc.oneof(digits, fc.string({ unit: 'grapheme', maxLength: 70 }), anyValue),
};
const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf'];

/** Own properties set as JSON.parse sets them, so "__proto__" is a key, not the prototype. */
function objectWith(entries: Array<[string, unknown]>, inherited: Array<[string, unknown]> = []): Record<string, unknown> {
	const proto = {};
	for (const [key, value] of inherited) Object.defineProperty(proto, key, { value, enumerable: true, configurable: true });
	const object = Object.create(proto) as Record<string, unknown>;
	for (const [key, value] of entries) {
		Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
	}
	return object;
}

const additionalFields = fc
	.tuple(
		fc.subarray([...OPTIONAL_FIELDS]),
		fc.record({ name: fieldValue.name, email: fieldValue.email, waId: fieldValue.waId }),
		fc.array(fc.tuple(fc.constantFrom(...DANGEROUS_KEYS), anyValue), { maxLength: 3 }),
		fc.array(fc.tuple(fc.constantFrom(...OPTIONAL_FIELDS), anyValue), { maxLength: 2 }),
	)
	.map(([fields, values, dangerous, inherited]) =>
		objectWith([...fields.map((field) => [field, values[field]] as [string, unknown]), ...dangerous], inherited),
	);

/** An item, and what the contract says its phone becomes: a known number, refused, or (arbitrary input) unknown. */
interface ItemCase {
	input: UpsertInput;
	phone: { expected: string; how: string } | 'refused' | 'unknown';
}
const itemCase: fc.Arbitrary<ItemCase> = fc
	.record({
		phone: fc.oneof(
			{
				weight: 3,
				arbitrary: writtenNumber.map(({ phone, defaultCountryCode, expected, how }) => ({
					value: phone,
					defaultCountryCode,
					expect: { expected, how } as ItemCase['phone'],
				})),
			},
			{ weight: 1, arbitrary: wrongNumber.map(({ phone, defaultCountryCode }) => ({ value: phone, defaultCountryCode, expect: 'refused' as ItemCase['phone'] })) },
			{
				weight: 3,
				arbitrary: fc
					.tuple(fieldValue.phone, fc.constantFrom('', '', '34', '1', '44', '358', '971'))
					.map(([value, defaultCountryCode]) => ({ value, defaultCountryCode, expect: 'unknown' as ItemCase['phone'] })),
			},
		),
		additionalFields,
		emptyValues: fc.constantFrom('skip' as const, 'clear' as const),
	})
	.map(({ phone, additionalFields: fields, emptyValues }) => ({
		input: { phone: phone.value, additionalFields: fields, emptyValues, defaultCountryCode: phone.defaultCountryCode },
		phone: phone.expect,
	}));

// ---- docs/contacts.md's rules, as a reader would check them --------------------------------

const EMULATOR_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The ASCII digits a value shows (a number's as Sheets would hand them over). */
function shownDigits(value: unknown): string {
	const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'bigint' ? String(value) : '';
	return text.replace(/[^0-9]/g, '');
}

/**
 * What holds for any phone the node accepts, whatever was written: E.164, and no digit invented or
 * moved. Only a prefix changes (+, 00, a trunk prefix, the country code): everything after the
 * country code (at most 3 digits) ends the digits that were written.
 */
function expectAcceptedPhone(value: unknown, phone: string) {
	expect(phone).toMatch(/^\+[1-9][0-9]{1,14}$/);
	expect(shownDigits(value).endsWith(phone.slice(4))).toBe(true);
	if (typeof value === 'string') expect(value).not.toMatch(/[A-Za-z]/);
}

type FieldModel = { kind: 'omit' } | { kind: 'send'; value: string | null } | { kind: 'refuse' } | { kind: 'email'; text: string };

function expectedField(field: (typeof OPTIONAL_FIELDS)[number], value: unknown, emptyValues: string): FieldModel {
	let text: string;
	if (value === undefined || value === null) text = '';
	else if (typeof value === 'string') text = value.trim();
	else if (typeof value === 'bigint') text = value.toString();
	else if (typeof value === 'number' && Number.isFinite(value)) {
		// docs/contacts.md: a number becomes its text only when written exactly (no exponent, at most 2^53 - 1).
		text = String(value);
		if (/e/.test(text) || Math.abs(value) > Number.MAX_SAFE_INTEGER) return { kind: 'refuse' };
	} else return { kind: 'refuse' };
	if (text === '') return emptyValues === 'clear' ? { kind: 'send', value: null } : { kind: 'omit' };
	if (field === 'name' && text.length > 200) return { kind: 'refuse' };
	if (field === 'waId' && text.length > 64) return { kind: 'refuse' };
	// The node's email shape is stricter than the contract's; what it accepts is checked against the contract.
	if (field === 'email') return { kind: 'email', text };
	return { kind: 'send', value: text };
}

// Counted on the first full pass only (fast-check's shrinking would count twice).
const stats = {
	runs: 0,
	valid: 0,
	refused: 0,
	refusedByField: {} as Record<string, number>,
	knownPhones: 0,
	wrongPhones: 0,
};
const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort().join(',');
const PROTOTYPE_KEYS = prototypeKeys();

function expectNoPollution() {
	expect(prototypeKeys()).toBe(PROTOTYPE_KEYS);
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	expect(({} as Record<string, unknown>).phone).toBeUndefined();
	expect(({} as Record<string, unknown>).name).toBeUndefined();
}

function checkOne({ input, phone: phoneCase }: ItemCase) {
	stats.runs += 1;
	const result = buildUpsertRequest(input);
	expectNoPollution();
	// The phone is checked first, so its outcome is visible even when a later field is refused.
	const phone = normalizePhone(input.phone, input.defaultCountryCode);
	expect(!result.ok && result.field === 'phone').toBe(!phone.ok);
	if (phone.ok) expectAcceptedPhone(input.phone, phone.phone);
	if (phoneCase === 'refused') {
		stats.wrongPhones += 1;
		expect(phone.ok).toBe(false);
	} else if (phoneCase !== 'unknown') {
		stats.knownPhones += 1;
		if (!phone.ok && refusedAsAmbiguous(phone.reason, phoneCase.expected)) return;
		if (!phone.ok) throw new Error(`${JSON.stringify(input.phone)} (${phoneCase.how}, code ${JSON.stringify(input.defaultCountryCode)}) refused: ${phone.reason}`);
		expect(phone.phone).toBe(phoneCase.expected);
	}

	if (phone.ok) {
		const expectedBody: Record<string, unknown> = { phone: phone.phone };
		let refusedField: string | undefined;
		let email: string | undefined;
		for (const field of OPTIONAL_FIELDS) {
			if (!Object.prototype.hasOwnProperty.call(input.additionalFields, field)) continue;
			const model = expectedField(field, input.additionalFields[field], input.emptyValues);
			if (model.kind === 'refuse') {
				refusedField = field;
				break;
			}
			if (model.kind === 'send') expectedBody[field] = model.value;
			if (model.kind === 'email') {
				// Either accepted as is (then it must meet the contract) or refused as not an email address.
				if (result.ok || (!result.ok && result.field !== 'email')) {
					expectedBody.email = model.text;
					email = model.text;
				} else {
					refusedField = 'email';
					break;
				}
			}
		}
		if (refusedField) {
			expect(result).toMatchObject({ ok: false, field: refusedField });
		} else {
			expect(result).toEqual({ ok: true, body: expectedBody });
			if (email !== undefined) expect(email).toMatch(EMULATOR_EMAIL);
		}
	}

	if (result.ok) {
		stats.valid += 1;
		const { body } = result;
		// Exactly the contract: known keys only, phone first, plain object, survives JSON unchanged.
		expect(validateContactBody(body)).toBeUndefined();
		expect(Object.keys(body).every((key) => CONTRACT_KEYS.includes(key))).toBe(true);
		expect(Object.keys(body)[0]).toBe('phone');
		expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
		expect(JSON.parse(JSON.stringify(body))).toEqual(body);
		for (const value of Object.values(body)) expect(value === null || typeof value === 'string').toBe(true);
		for (const value of Object.values(body)) if (typeof value === 'string') expect(value).not.toBe('');
	} else {
		stats.refused += 1;
		stats.refusedByField[result.field] = (stats.refusedByField[result.field] ?? 0) + 1;
		expect(CONTRACT_KEYS).toContain(result.field);
		expect(typeof result.reason).toBe('string');
		expect(result.reason.length).toBeGreaterThan(3);
		const source = result.field === 'phone' ? input.phone : input.additionalFields[result.field];
		// The value shown in the message is the one given (an optional field's is its text, once trimmed).
		if (result.field === 'phone' || !['string', 'number', 'bigint'].includes(typeof source)) {
			expect(Object.is(result.value, source)).toBe(true);
		}
	}
}

describe('bad input, unit level: buildUpsertRequest', () => {
	it(`maps ${UNIT_RUNS} generated items to a contract-exact body or a per-item validation error`, () => {
		fc.assert(
			fc.property(itemCase, (item) => {
				checkOne(item);
			}),
			{ numRuns: UNIT_RUNS, seed: SEED },
		);
		expect(stats.valid).toBeGreaterThan(UNIT_RUNS * 0.1);
		expect(stats.refused).toBeGreaterThan(UNIT_RUNS * 0.1);
		expect(stats.knownPhones).toBeGreaterThan(UNIT_RUNS * 0.2);
		expect(stats.wrongPhones).toBeGreaterThan(UNIT_RUNS * 0.05);
	});

	it('reads every real number written a common way as exactly +<country code><national number>', () => {
		fc.assert(
			fc.property(writtenNumber, ({ phone, defaultCountryCode, expected, how }) => {
				const result = normalizePhone(phone, defaultCountryCode);
				if (!result.ok && refusedAsAmbiguous(result.reason, expected)) return;
				if (!result.ok) throw new Error(`${JSON.stringify(phone)} (${how}, code ${JSON.stringify(defaultCountryCode)}) refused: ${result.reason}`);
				expect(result.phone).toBe(expected);
			}),
			{ numRuns: 5000, seed: SEED },
		);
	});

	it('refuses numbers that break the contract, however they are written', () => {
		fc.assert(
			fc.property(wrongNumber, ({ phone, defaultCountryCode }) => {
				expect(normalizePhone(phone, defaultCountryCode)).toMatchObject({ ok: false, reason: expect.any(String) });
			}),
			{ numRuns: 2000, seed: SEED },
		);
	});

	it('accepts every plausible contact (valid phone, sane name, real-looking email, digits waId)', () => {
		fc.assert(
			fc.property(
				internationalPhone,
				fc.string({ unit: 'grapheme', maxLength: 100 }),
				fc.emailAddress(),
				fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 20 }),
				(phone, name, email, waId) => {
					const result = buildUpsertRequest({
						phone,
						additionalFields: { name, email, waId },
						emptyValues: 'skip',
						defaultCountryCode: '',
					});
					if (!result.ok) throw new Error(`refused ${JSON.stringify({ phone, name, email, waId })}: ${result.field} ${result.reason}`);
					expect(validateContactBody(result.body)).toBeUndefined();
				},
			),
			{ numRuns: 1000, seed: SEED },
		);
	});
});

// ---- the same through n8n and the emulator ----------------------------------------------

const KEY = 'flo_live_fuzz_a1b2c3d4e5f60718293a';
let emulator: FlowellaEmulator;

beforeAll(async () => {
	emulator = await startEmulator({ apiKeys: [KEY] });
});
afterAll(() => emulator.close());

/** A row as JSON text, so "__proto__" and "constructor" arrive as keys the way a sheet or webhook delivers them. */
const jsonValue = fc.oneof(
	{ weight: 3, arbitrary: phoneString },
	{ weight: 2, arbitrary: writtenNumber.filter((written) => written.defaultCountryCode === '').map((written) => written.phone) },
	{ weight: 2, arbitrary: weirdString },
	{ weight: 1, arbitrary: hugeString },
	{ weight: 2, arbitrary: emailLike },
	{ weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
	{ weight: 1, arbitrary: fc.integer({ min: 0, max: 999999999999999 }) },
	{ weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e21) },
);
const rowText = fc
	.tuple(
		fc.record(
			{
				phone: fc.oneof({ weight: 3, arbitrary: internationalPhone }, { weight: 2, arbitrary: jsonValue }),
				name: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 60 }), jsonValue),
				email: fc.oneof(fc.emailAddress(), jsonValue),
				waId: fc.oneof(digits, jsonValue),
			},
			{ requiredKeys: ['phone'] },
		),
		fc.array(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.jsonValue({ maxDepth: 2 })), { maxLength: 2 }),
	)
	.map(([row, dangerous]) =>
		`{${[...Object.entries(row), ...dangerous, ['__proto__', { polluted: 'yes', phone: '+34600000000' }] as [string, unknown]]
			.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`)
			.join(',')}}`,
	);

describe('bad input through n8n and the emulator', () => {
	it(`${ENGINE_ROWS} generated rows: every request meets the contract, every other row is a per-item error`, async () => {
		const rows = fc.sample(rowText, { numRuns: ENGINE_ROWS, seed: SEED });
		const result = await runFlowellaWorkflow({
			rows: `[${rows.join(',')}]` as never,
			credentials: { apiKey: KEY, baseUrl: emulator.url },
			settings: { onError: 'continueRegularOutput' },
			parameters: { ...rowParameters, options: { concurrency: 10 } },
		});
		expectNoPollution();
		expect(result.error).toBeUndefined();
		const [items] = result.outputs;
		expect(items).toHaveLength(ENGINE_ROWS);
		expect(items.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));

		const requests = emulator.requestsTo('POST', '/api/v1/contacts');
		for (const request of requests) {
			expect(validateContactBody(request.body)).toBeUndefined();
			expect(Object.keys(request.body as object).every((key) => CONTRACT_KEYS.includes(key))).toBe(true);
		}
		const answered400 = requests.filter((request) => request.status === 400).length;
		expect(answered400).toBe(0);
		expect(requests.every((request) => request.status === 200)).toBe(true);

		let refused = 0;
		items.forEach((item, index) => {
			if (item.json.error === undefined) {
				expect(item.json).toMatchObject({ id: expect.any(String), phone: expect.stringMatching(/^\+[1-9]\d{1,14}$/) });
				return;
			}
			refused += 1;
			const message = item.json.error as string;
			// A per-item validation error: names the field and the item, shows a short value, sent nothing.
			expect(message).toMatch(new RegExp(`^Invalid (Phone|Name|Email|WhatsApp ID) .* \\[item ${index}\\]: it .+`, 's'));
			expect(message.length).toBeLessThan(400);
		});
		expect(refused + requests.length).toBe(ENGINE_ROWS);
		writeResults('bad-input.json', {
			seed: SEED,
			unit: stats,
			engine: { rows: ENGINE_ROWS, sent: requests.length, refused, answered400 },
		});
	});
});
