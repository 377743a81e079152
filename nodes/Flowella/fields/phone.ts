import { CALLING_CODE_TABLE } from './callingCodes';

/**
 * Phone cleanup applied before validation; docs/contacts.md "Phone cleanup" states the rules and examples.
 * A number comes out as E.164 only when the rules leave a single reading of it that fits the
 * numbering plan of its country (callingCodes.ts); anything else is refused with the reason,
 * never guessed, so a wrong number that looks valid is never sent.
 */

export type PhoneCleanup = { ok: true; phone: string } | { ok: false; reason: string };

interface NumberingPlan {
	code: string;
	/** Lengths of national significant numbers, by their first digit. */
	lengthsByFirstDigit: Map<string, number[]>;
	/** Lengths of those starting with a longer prefix (the code's own digits, a trunk prefix), where narrower. */
	lengthsByPrefix: Map<string, number[]>;
	/** Dialled before a national number inside the country: 0 in most, 8 in Russia, none in Italy or Spain; then other prefixes dialled there. */
	trunks: string[];
	/** Lengths of the domestic-only numbers starting with 0 (and with 00) where 0 is the trunk prefix: never sent, but a reading. */
	domesticZero: number[];
	domesticDoubleZero: number[];
	/** Where the country writes national numbers with its trunk prefix: the first digits or two-digit prefixes of those it may write without; undefined: all. */
	writtenBare?: string[];
	/** Four-digit starts of the domestic-only numbers starting with 00. */
	domesticDoubleZeroStarts: string[];
}

// Marks that phones and chat apps wrap around a copied number: zero-width space and joiners,
// direction marks (U+200E, U+200F), embeddings and overrides (U+202A–U+202E), word joiner,
// isolates (U+2066–U+2069) and the byte order mark.
const INVISIBLE_MARKS = /[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
// \s covers tabs, no-break spaces and the other Unicode spaces.
const SPACING = /[\s.-]/g;
const E164 = /^\+[1-9]\d{1,14}$/;
const NOT_E164 = 'is not an international (E.164) number: a + followed by 2 to 15 digits, not starting with 0';
const TRUNK_ZERO = '(0)';

function parseLengths(text: string): number[] {
	return text
		.split(',')
		.filter((part) => part !== '')
		.flatMap((part) => {
			const [from, to = from] = part.split('-').map(Number);
			return Array.from({ length: to - from + 1 }, (_, k) => from + k);
		});
}

function parseTable(table: string): Map<string, NumberingPlan> {
	const plans = new Map<string, NumberingPlan>();
	for (const line of table.trim().split('\n')) {
		const [code, ...parts] = line.split(' ');
		const plan: NumberingPlan = { code, lengthsByFirstDigit: new Map(), lengthsByPrefix: new Map(), trunks: [], domesticZero: [], domesticDoubleZero: [], domesticDoubleZeroStarts: [] };
		for (const part of parts) {
			if (part.includes('=')) {
				const [prefix, lengths] = part.split('=');
				plan.lengthsByPrefix.set(prefix, parseLengths(lengths));
			} else if (part.startsWith('t')) plan.trunks = part.slice(1).split(',');
			else if (part.startsWith('d')) plan.domesticDoubleZeroStarts = part.slice(1).split(',');
			else if (part.startsWith('b')) plan.writtenBare = part.slice(1).split(',').filter((prefix) => prefix !== '');
			else if (part.startsWith('z')) [plan.domesticZero, plan.domesticDoubleZero] = part.slice(1).split('/').map(parseLengths);
			else {
				const [digits, lengths] = part.split(':');
				for (const digit of digits) plan.lengthsByFirstDigit.set(digit, parseLengths(lengths));
			}
		}
		plans.set(code, plan);
	}
	return plans;
}

const PLANS = parseTable(CALLING_CODE_TABLE);

export function isValidCountryCode(code: string): boolean {
	return PLANS.has(code);
}

/** Calling codes are a prefix code (no code starts another), so at most one matches. */
function planOf(digits: string): NumberingPlan | undefined {
	for (let length = 1; length <= 3; length++) {
		const plan = PLANS.get(digits.slice(0, length));
		if (plan) return plan;
	}
	return undefined;
}

function describeLengths(lengths: number[]): string {
	const runs: string[] = [];
	for (let i = 0; i < lengths.length; ) {
		let j = i;
		while (j + 1 < lengths.length && lengths[j + 1] === lengths[j] + 1) j++;
		runs.push(j === i ? `${lengths[i]}` : j === i + 1 ? `${lengths[i]} or ${lengths[j]}` : `${lengths[i]} to ${lengths[j]}`);
		i = j + 1;
	}
	return runs.length > 1 ? `${runs.slice(0, -1).join(', ')} or ${runs[runs.length - 1]}` : runs[0];
}

/** Why `+<code><nationalNumber>` is not a number of that plan, or undefined when it is. */
function nationalNumberProblem(plan: NumberingPlan, nationalNumber: string): string | undefined {
	const { code } = plan;
	if (nationalNumber === '') return `has no digits after +${code}`;
	const prefix = [3, 2].map((length) => nationalNumber.slice(0, length)).find((start) => plan.lengthsByPrefix.has(start));
	const start = prefix ?? nationalNumber[0];
	const lengths = prefix ? plan.lengthsByPrefix.get(prefix) : plan.lengthsByFirstDigit.get(start);
	if (!lengths || lengths.length === 0) {
		if (start === '0' && plan.trunks[0] === '0') {
			return `has a 0 right after +${code}: that is the trunk prefix, dialled only inside the country; leave it out (+${code}${nationalNumber.slice(1)})`;
		}
		return `is not a +${code} number: after +${code} a number does not start with ${start}`;
	}
	if (!lengths.includes(nationalNumber.length)) {
		return `has ${nationalNumber.length} digits after +${code}; a +${code} number starting with ${start} has ${describeLengths(lengths)}`;
	}
	return undefined;
}

function international(digits: string, written: 'with +' | 'bare'): PhoneCleanup {
	const phone = `+${digits}`;
	const unreadable = (problem: string): PhoneCleanup => ({
		ok: false,
		reason:
			written === 'with +'
				? problem
				: `is not an international number (${problem}): write it with + and its country code (e.g. +34612345678) or set Options → Default Country Code`,
	});
	if (!E164.test(phone)) return { ok: false, reason: NOT_E164 };
	const plan = planOf(digits);
	if (!plan) return unreadable(written === 'with +' ? 'has no known country calling code after the +' : 'it does not start with a known country calling code');
	const problem = nationalNumberProblem(plan, digits.slice(plan.code.length));
	return problem ? unreadable(written === 'with +' ? problem : `read as ${phone}, it ${problem}`) : { ok: true, phone };
}

/** Whether `+<digits>` could be one of the domestic-only numbers starting with 0 (Japan's 0077…), which are never sent. */
function isDomesticOnly(digits: string): boolean {
	const plan = planOf(digits);
	const nationalNumber = plan ? digits.slice(plan.code.length) : '';
	if (!plan || !nationalNumber.startsWith('0')) return false;
	return (nationalNumber.startsWith('00') ? plan.domesticDoubleZero : plan.domesticZero).includes(nationalNumber.length);
}

/** `+<code> <national number>`, as an example of how to write a reading. */
function spaced(phone: string): string {
	const plan = planOf(phone.slice(1));
	return plan ? `+${plan.code} ${phone.slice(1 + plan.code.length)}` : phone;
}

/**
 * Argentina writes a mobile at home as area code, 15, subscriber (011 15-2345-6789); from abroad it
 * is +54 9, area code, subscriber. The area code has 2 to 4 digits, area code and subscriber 10.
 */
function argentineMobile(plan: NumberingPlan, nationalNumber: string): string[] {
	if (plan.code !== '54' || nationalNumber.length !== 12) return [];
	return [2, 3, 4]
		.filter((areaLength) => nationalNumber.slice(areaLength, areaLength + 2) === '15')
		.map((areaLength) => `9${nationalNumber.slice(0, areaLength)}${nationalNumber.slice(areaLength + 2)}`);
}

/** National readings of digits under a default code that fit its plan: the trunk prefix dropped, or the digits as written. */
function nationalReadings(digits: string, plan: NumberingPlan, withTrunks = true): { readings: string[]; problem: string } {
	const nationalNumbers = [
		...(withTrunks ? plan.trunks.filter((trunk) => digits.startsWith(trunk)).map((trunk) => digits.slice(trunk.length)) : []),
		digits,
	];
	const readings = [...new Set(nationalNumbers.flatMap((nationalNumber) => [nationalNumber, ...argentineMobile(plan, nationalNumber)]))]
		.filter((nationalNumber) => nationalNumberProblem(plan, nationalNumber) === undefined)
		.map((nationalNumber) => `+${plan.code}${nationalNumber}`)
		.filter((phone) => E164.test(phone));
	return { readings, problem: nationalNumberProblem(plan, nationalNumbers[0]) ?? NOT_E164 };
}

/**
 * The numbers digits are as a national number of some country, written as that country dials it at
 * home: the digits as its national significant number, or after one of its trunk prefixes (8 in
 * Russia). A pasted foreign number is such a reading; `except` (the international reading) is left out.
 * The table's plans are looser than libphonenumber's, so every number it takes for valid is found.
 */
function nationalReadingsAnywhere(digits: string, except: string): string[] {
	const found = new Set<string>();
	for (const plan of PLANS.values()) {
		const bare = plan.writtenBare?.some((prefix) => digits.startsWith(prefix)) ?? true;
		for (const reading of nationalReadings(digits, plan).readings) {
			const asWritten = reading === `+${plan.code}${digits}`;
			if (reading !== except && (bare || !asWritten)) found.add(reading);
		}
		// Domestic-only numbers starting with 0 (Indonesia's 007803…): 00 is then no international prefix.
		if (plan.domesticDoubleZeroStarts.includes(digits.slice(0, 4)) && plan.domesticDoubleZero.includes(digits.length)) found.add(`+${plan.code}${digits}`);
	}
	return [...found];
}

/** The international reading, refused when the digits (after 00, when written) are also a national number somewhere. */
function internationalUnlessNational(phone: string, digits: string, written = 'an international number written without its +'): PhoneCleanup {
	const national = nationalReadingsAnywhere(digits, phone);
	if (national.length === 0) return { ok: true, phone };
	const shown = national.slice(0, 3).map(spaced);
	const more = national.length > shown.length ? ` and ${national.length - shown.length} more` : '';
	return {
		ok: false,
		reason: `could be ${phone} (${written}) or a national number of another country written without its country code (${shown.join(', ')}${more}): write it with + and the country code, e.g. ${spaced(phone)}`,
	};
}

/**
 * How the value was written, where that says it is a national number: a bracketed area code at the
 * start (`(319) 230-0698`, `(11) 91234-5678`, even where the area code is also a calling code, as
 * Brazil's (32) is Belgium's) or a first group that is no calling code (`612 34 56 78`,
 * `8 (916) 123-45-67`). An international number written without its + starts with its calling code
 * (`34 612 34 56 78`, `1 (415) 555-0132`, or all digits as sheets keep them).
 */
function nationalClue(written: string): string | undefined {
	// One digit is no area code: (3) 4612443828 is +34 612 44 38 28 with a bracket in its code.
	const bracketed = /^\(\s*([1-9]\d+)\s*\)/.exec(written);
	if (bracketed) return `it starts with a bracketed area code, (${bracketed[1]})`;
	const groups = written.split(/[\s.\-()]+/).filter((group) => group !== '');
	// A one-digit group counts too (Russia's trunk 8 in `8 (498) 799-70-05`, Bolivia's `5 0042050`): only 1 and 7 are codes.
	if (groups.length > 1 && /^[1-9]\d*$/.test(groups[0]) && !PLANS.has(groups[0])) return `its first group, ${groups[0]}, is no country calling code`;
	return undefined;
}

/**
 * Digits without + or 00. Their readings: an international number whose + was left out (as sheets
 * drop it), unless the writing marks a national number; and, with a default code, a national number
 * of that country. One reading that fits its plan is used; two are refused, naming both.
 */
function withoutPrefix(digits: string, plan: NumberingPlan | undefined, clue: string | undefined): PhoneCleanup {
	const asInternational = digits.startsWith('0') ? undefined : international(digits, 'bare');
	const internationalReading = asInternational?.ok ? asInternational.phone : undefined;
	if (!plan) {
		if (digits.startsWith('0')) {
			return {
				ok: false,
				reason: 'looks like a national number: write it with its country code (e.g. +34612345678) or set Options → Default Country Code',
			};
		}
		if (clue === undefined) return internationalReading ? internationalUnlessNational(internationalReading, digits) : (asInternational ?? { ok: false, reason: NOT_E164 });
		const readAs = internationalReading ? `; read as an international number it would be ${internationalReading}, which the writing does not suggest` : '';
		return {
			ok: false,
			reason: `looks like a national number (${clue}) without its country code${readAs}: write it with + and its country code (e.g. +1 ${digits} for a North American number) or set Options → Default Country Code`,
		};
	}
	const national = nationalReadings(digits, plan);
	const readings = [...new Set([...national.readings, ...(internationalReading && clue === undefined ? [internationalReading] : [])])];
	// A domestic-only number is never the answer, but it makes a second reading.
	const domestic = clue === undefined && isDomesticOnly(digits) ? [`+${digits}`] : [];
	if (readings.length === 1 && domestic.length > 0) {
		return {
			ok: false,
			reason: `could be ${readings[0]} or ${domestic[0]}, a number dialled only inside its country: write it with + and the country code, e.g. ${spaced(readings[0])}`,
		};
	}
	// The default's national reading, when it is the only one, is used; the international one alone must be no national number elsewhere.
	if (readings.length === 1) return national.readings.includes(readings[0]) ? { ok: true, phone: readings[0] } : internationalUnlessNational(readings[0], digits);
	// The writing only ranks the readings: with no national one that fits, the international one is left.
	if (readings.length === 0 && internationalReading && !isDomesticOnly(digits)) return internationalUnlessNational(internationalReading, digits);
	if (readings.length === 0) return { ok: false, reason: national.problem };
	const kinds =
		internationalReading && readings.includes(internationalReading) && national.readings.some((reading) => reading !== internationalReading)
			? `as a national number under Default Country Code ${plan.code}, or as an international number written without its +`
			: `as a national number under Default Country Code ${plan.code}, with or without its trunk prefix`;
	return {
		ok: false,
		reason: `could be ${readings.join(' or ')} (${kinds}): write it with + and the country code, e.g. ${readings.map(spaced).join(' or ')}`,
	};
}

/**
 * `(0)` after a country code marks the trunk 0 that is dialled only at home: it is left out,
 * unless the number is one only with its 0 (Italy dials it: +39 (0)6… is +39 06…).
 * `(0)` at the start of a number is a national number's trunk 0.
 */
function withoutTrunkZero(compact: string): PhoneCleanup | { ok: 'national'; phone: string } {
	const at = compact.indexOf(TRUNK_ZERO);
	const before = compact.slice(0, at).replace(/[()]/g, '');
	const after = compact.slice(at + TRUNK_ZERO.length).replace(/[()]/g, '');
	const misplaced = { ok: false as const, reason: 'has a (0) that is not right after the country code' };
	if (compact.indexOf(TRUNK_ZERO, at + 1) >= 0) return misplaced;
	if (!/^\d*$/.test(after)) return { ok: false, reason: 'may hold only digits, a leading + and spacing' };
	if (before === '') return { ok: 'national', phone: `0${after}` };
	const code = /^(?:\+|00)?(\d{1,3})$/.exec(before)?.[1];
	const plan = code === undefined ? undefined : PLANS.get(code);
	if (!plan) return misplaced;

	const dropped = nationalNumberProblem(plan, after) === undefined;
	const kept = nationalNumberProblem(plan, `0${after}`) === undefined;
	if (dropped && kept) {
		return {
			ok: false,
			reason: `could be +${plan.code}${after} or +${plan.code}0${after}: write it without the parentheses, with the 0 only if it is dialled from abroad`,
		};
	}
	if (!dropped && !kept) return { ok: false, reason: nationalNumberProblem(plan, after) ?? NOT_E164 };
	const phone = `+${plan.code}${kept ? '0' : ''}${after}`;
	return E164.test(phone) ? { ok: true, phone } : { ok: false, reason: NOT_E164 };
}

function phoneAsText(value: unknown): PhoneCleanup {
	if (typeof value === 'string') return { ok: true, phone: value };
	if (typeof value === 'number') {
		if (!Number.isSafeInteger(value) || value < 0) {
			return {
				ok: false,
				reason: 'arrived as a number that cannot be an exact phone number; format the column as plain text',
			};
		}
		return { ok: true, phone: String(value) };
	}
	if (typeof value === 'bigint' && value >= BigInt(0)) return { ok: true, phone: value.toString() };
	if (value === undefined || value === null) return { ok: false, reason: 'is empty' };
	return { ok: false, reason: `must be text or a number, not ${Array.isArray(value) ? 'a list' : typeof value}` };
}

export function normalizePhone(value: unknown, defaultCountryCode = ''): PhoneCleanup {
	const text = phoneAsText(value);
	if (!text.ok) return text;

	let compact = text.phone.replace(INVISIBLE_MARKS, '').replace(SPACING, '');
	if (compact === '') return { ok: false, reason: 'is empty' };
	if (compact.includes(TRUNK_ZERO)) {
		const trunkZero = withoutTrunkZero(compact);
		if (trunkZero.ok !== 'national') return trunkZero;
		compact = trunkZero.phone;
	}
	const phone = compact.replace(/[()]/g, '');
	if (!/^\+?\d+$/.test(phone)) return { ok: false, reason: 'may hold only digits, a leading + and spacing' };
	if (phone.startsWith('+')) return international(phone.slice(1), 'with +');

	const plan = defaultCountryCode ? PLANS.get(defaultCountryCode) : undefined;
	if (defaultCountryCode && !plan) {
		return { ok: false, reason: `cannot use Default Country Code ${defaultCountryCode}: it is not a country calling code` };
	}
	if (phone.startsWith('00')) {
		// 00 is the international prefix, unless the default country has national numbers starting with 00 (Tajikistan).
		// Such digits are read as written: 00 is not two trunk zeros.
		const asInternational = international(phone.slice(2), 'with +');
		const asNational = plan ? nationalReadings(phone, plan, false).readings[0] : undefined;
		if (asNational === undefined && plan && asInternational.ok && isDomesticOnly(`${plan.code}${phone}`)) {
			return {
				ok: false,
				reason: `could be ${asInternational.phone} or +${plan.code}${phone}, a number dialled only inside its country: write it with + and the country code, e.g. ${spaced(asInternational.phone)}`,
			};
		}
		if (asNational === undefined) return asInternational.ok ? internationalUnlessNational(asInternational.phone, phone, '00 as the international prefix') : asInternational;
		if (!asInternational.ok || asInternational.phone === asNational) return { ok: true, phone: asNational };
		return {
			ok: false,
			reason: `could be ${asInternational.phone} or ${asNational} (00 as the international prefix, or a national number under Default Country Code ${plan?.code}): write it with + and the country code, e.g. ${spaced(asInternational.phone)} or ${spaced(asNational)}`,
		};
	}
	return withoutPrefix(phone, plan, nationalClue(text.phone.replace(INVISIBLE_MARKS, '').trim()));
}
