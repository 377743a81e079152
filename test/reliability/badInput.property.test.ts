// Whatever a sheet, a form or an AI agent hands the node, each item becomes either a request whose
// body is exactly what Flowella's contract allows, or a per-item validation error: never a crash,
// never a body the contract refuses, never prototype pollution. The contract check is the
// emulator's own validator, which shares no code with the node.
import fc from 'fast-check';

import { startEmulator, validateContactBody } from '../../emulator/server';
import type { FlowellaEmulator } from '../../emulator/server';
import { buildUpsertRequest } from '../../nodes/Flowella/resources/contact/upsertRequest';
import type { UpsertInput } from '../../nodes/Flowella/resources/contact/upsertRequest';
import { rowParameters, runFlowellaWorkflow } from '../engine/harness';
import { writeResults } from './support';

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
const validPhone = fc
	.tuple(fc.integer({ min: 1, max: 9 }), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 14 }))
	.map(([first, rest]) => `+${first}${rest}`);
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
	phone: fc.oneof({ weight: 2, arbitrary: phoneString }, { weight: 4, arbitrary: validPhone }, { weight: 2, arbitrary: anyValue }),
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

const upsertInput: fc.Arbitrary<UpsertInput> = fc.record({
	phone: fieldValue.phone,
	additionalFields,
	emptyValues: fc.constantFrom('skip' as const, 'clear' as const),
	defaultCountryCode: fc.constantFrom('', '', '34', '1', '44', '358', '971'),
});

// ---- an independent reading of the README's rules ---------------------------------------

const EMULATOR_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function expectedPhone(value: unknown, countryCode: string): string | undefined {
	let text: string;
	if (typeof value === 'string') text = value;
	else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) text = String(value);
	else if (typeof value === 'bigint' && value >= BigInt(0)) text = value.toString();
	else return undefined;
	text = text.replace(/[\s.\-()]/g, '');
	if (!/^\+?[0-9]+$/.test(text)) return undefined;
	if (text.startsWith('00')) text = `+${text.slice(2)}`;
	if (!text.startsWith('+')) {
		if (countryCode) text = `+${countryCode}${text.replace(/^0/, '')}`;
		else if (text.startsWith('0')) return undefined;
		else text = `+${text}`;
	}
	return /^\+[1-9][0-9]{1,14}$/.test(text) ? text : undefined;
}

type FieldModel = { kind: 'omit' } | { kind: 'send'; value: string | null } | { kind: 'refuse' } | { kind: 'email'; text: string };

function expectedField(field: (typeof OPTIONAL_FIELDS)[number], value: unknown, emptyValues: string): FieldModel {
	let text: string;
	if (value === undefined || value === null) text = '';
	else if (typeof value === 'string') text = value.trim();
	else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') text = String(value);
	else return { kind: 'refuse' };
	if (text === '') return emptyValues === 'clear' ? { kind: 'send', value: null } : { kind: 'omit' };
	if (field === 'name' && text.length > 200) return { kind: 'refuse' };
	if (field === 'waId' && text.length > 64) return { kind: 'refuse' };
	// The node's email shape is stricter than the contract's; what it accepts is checked against the contract.
	if (field === 'email') return { kind: 'email', text };
	return { kind: 'send', value: text };
}

// Counted on the first full pass only (fast-check's shrinking would count twice).
const stats = { runs: 0, valid: 0, refused: 0, refusedByField: {} as Record<string, number> };
const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort().join(',');
const PROTOTYPE_KEYS = prototypeKeys();

function expectNoPollution() {
	expect(prototypeKeys()).toBe(PROTOTYPE_KEYS);
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	expect(({} as Record<string, unknown>).phone).toBeUndefined();
	expect(({} as Record<string, unknown>).name).toBeUndefined();
}

function checkOne(input: UpsertInput) {
	stats.runs += 1;
	const result = buildUpsertRequest(input);
	expectNoPollution();

	const phone = expectedPhone(input.phone, input.defaultCountryCode);
	if (phone === undefined) {
		expect(result).toMatchObject({ ok: false, field: 'phone' });
	} else {
		const expectedBody: Record<string, unknown> = { phone };
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
			fc.property(upsertInput, (input) => {
				checkOne(input);
			}),
			{ numRuns: UNIT_RUNS, seed: SEED },
		);
		expect(stats.valid).toBeGreaterThan(UNIT_RUNS * 0.1);
		expect(stats.refused).toBeGreaterThan(UNIT_RUNS * 0.1);
	});

	it('accepts every plausible contact (valid phone, sane name, real-looking email, digits waId)', () => {
		fc.assert(
			fc.property(
				validPhone,
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
	{ weight: 2, arbitrary: validPhone },
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
				phone: fc.oneof({ weight: 3, arbitrary: validPhone }, { weight: 2, arbitrary: jsonValue }),
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
