/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
import { writeFileSync } from 'node:fs';

import { normalizePhone } from '../../../../nodes/Flowella/fields/phone';
import { crossCheck, crossCheckTable, MODES, WRITINGS, type Writing } from './phoneCrossCheck';
import { seededRandom } from '../../../support/seededRandom';
import { isValidNumber, libphonenumberNational, oracleNumbers } from './phoneOracle';

// Every region's example mobile number and 3 numbers sampled from each number type of each region
// and global service (about 3,000 numbers), written 4 ways, read with 18 Default Country Codes.
const numbers = oracleNumbers(3, 18);
const cells = crossCheck(numbers);

// PHONE_CROSS_CHECK_TABLE=<file> writes the table docs/contacts.md shows.
if (process.env.PHONE_CROSS_CHECK_TABLE) writeFileSync(process.env.PHONE_CROSS_CHECK_TABLE, `${crossCheckTable(cells)}\n`);

const cellNames = (Object.keys(WRITINGS) as Writing[]).flatMap((writing) => MODES.map((mode) => [writing, mode] as const));

describe('phone reading cross-checked against libphonenumber', () => {
	it('has enough numbers to say something: every region, every number type', () => {
		expect(numbers.length).toBeGreaterThan(2500);
		expect(new Set(numbers.map((n) => n.region)).size).toBeGreaterThanOrEqual(245);
	});

	// Every writing with every Default Country Code, national numbers written with another country's code
	// or none included: a national number whose digits are also another number with its + dropped is refused.
	it.each(cellNames)('turns no number written %s, Default Country Code %s, into a different valid number', (writing, mode) => {
		const cell = cells.get(`${writing}|${mode}`);
		expect(cell?.wrongExamples).toEqual([]);
		expect(cell?.wrong).toBe(0);
	});

	it.each(MODES.map((mode) => [mode]))('reads at least 99%% of numbers written in E.164 right, Default Country Code %s', (mode) => {
		const cell = cells.get(`E.164|${mode}`)!;
		expect(cell.right / cell.total).toBeGreaterThanOrEqual(0.99);
	});

	// Counted over numbers that have an E.164 form at all (ITU-T E.164: at most 15 digits): a longer
	// domestic number cannot be sent to WhatsApp however it is read, so refusing it is right.
	it('reads at least 99% of numbers written as their own country writes them right, with its Default Country Code', () => {
		const sendable = numbers.filter((number) => number.e164.length - 1 <= 15);
		const cell = crossCheck(sendable).get('national, punctuated|own')!;
		expect(cell.total).toBeGreaterThan(numbers.length - 20);
		expect(cell.right / cell.total).toBeGreaterThanOrEqual(0.99);
	});
});

describe('phone reading fuzzed against libphonenumber', () => {
	/**
	 * The oracle. A value without + has at most two readings: international (its digits after a +)
	 * and national under the Default Country Code (libphonenumber's own parse with that code). The
	 * node may refuse any value, and may answer a number libphonenumber takes for invalid (its table
	 * knows lengths, not every range); but a valid number it answers must be one of those readings
	 * that libphonenumber takes for valid. A value with + or 00 has only the international reading
	 * (and, for 00 with a default code, the national one).
	 */
	const random = seededRandom(2026);
	const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
	const codes = ['', '1', '7', '20', '27', '31', '33', '34', '36', '39', '44', '49', '52', '55', '60', '61', '62', '81', '86', '91', '234', '241', '352', '370', '375', '971', '992'];
	const digits = (length: number) => Array.from({ length }, () => String(Math.floor(random() * 10))).join('');

	/** Digits, cut into groups joined by spaces, dashes or dots, the first group maybe in parentheses. */
	function punctuate(text: string): string {
		if (random() < 0.4) return text;
		const groups: string[] = [];
		for (let at = 0; at < text.length; ) {
			const size = 1 + Math.floor(random() * 4);
			groups.push(text.slice(at, at + size));
			at += size;
		}
		if (random() < 0.3) groups[0] = `(${groups[0]})`;
		const separator = pick([' ', '-', '.', ' ']);
		return groups.join(separator);
	}

	function randomValue(): string {
		const kind = random();
		if (kind < 0.5) {
			// A real number, written in one of the four ways, maybe with its trunk 0 dropped or added.
			const number = pick(numbers);
			let text = pick(Object.values(WRITINGS))(number);
			if (random() < 0.15) text = text.replace(/^0/, '');
			return text.startsWith('+') ? text : punctuate(text.replace(/\D/g, ''));
		}
		const prefix = pick(['', '', '', '0', '00', '+', '8', '1']);
		return `${prefix}${punctuate(digits(4 + Math.floor(random() * 12)))}`;
	}

	it('answers no valid number other than a reading of what was written (20,000 values)', () => {
		const offences: string[] = [];
		let answered = 0;
		for (let k = 0; k < 20_000; k++) {
			const text = randomValue();
			const code = pick(codes);
			const read = normalizePhone(text, code);
			if (!read.ok) continue;
			answered++;
			if (!isValidNumber(read.phone)) continue;
			const allDigits = text.replace(/\D/g, '');
			const readings = new Set<string>();
			// (0) after a country code is the trunk 0 written in brackets (+44 (0)20 …): the reading without it too.
			if (text.includes('(0)')) readings.add(`+${text.replace('(0)', '').replace(/\D/g, '').replace(/^00/, '')}`);
			if (text.trim().startsWith('+')) readings.add(`+${allDigits}`);
			else if (allDigits.startsWith('00')) readings.add(`+${allDigits.slice(2)}`);
			else readings.add(`+${allDigits}`);
			const national = code && !text.trim().startsWith('+') ? libphonenumberNational(text, code) : undefined;
			if (national) readings.add(national);
			if (!readings.has(read.phone)) offences.push(`${JSON.stringify(text)} with ${JSON.stringify(code)} → ${read.phone} (readings: ${[...readings].join(', ')})`);
		}
		expect(offences.slice(0, 10)).toEqual([]);
		expect(answered).toBeGreaterThan(2000);
	});
});
