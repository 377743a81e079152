/**
 * The cross-check of phone reading against libphonenumber (phoneOracle.ts): every oracle number is
 * written four ways and read with no Default Country Code, its own, and a spread of others; each
 * reading is counted as right, refused, wrong (a valid number that is not the one meant) or other
 * (a number libphonenumber does not take for valid).
 */
import { normalizePhone } from '../../../../nodes/Flowella/fields/phone';
import { isValidNumber, libphonenumberNational, type OracleNumber } from './phoneOracle';

export const WRITINGS = {
	'E.164': (n: OracleNumber) => n.e164,
	'E.164 without +': (n: OracleNumber) => n.e164.slice(1),
	'national, punctuated': (n: OracleNumber) => n.national,
	'national, digits only': (n: OracleNumber) => n.national.replace(/\D/g, ''),
} as const;
export type Writing = keyof typeof WRITINGS;

/** Default Country Codes read with: none, the number's own, then a spread over regions and plan shapes. */
export const OTHER_CODES = ['1', '7', '31', '33', '34', '39', '44', '49', '52', '55', '60', '61', '86', '91', '234', '971'];
export const MODES = ['none', 'own', ...OTHER_CODES] as const;

export interface Cell {
	total: number;
	right: number;
	/** National format with another country's code, read as that country's number: what the user declared. */
	asDefault: number;
	refused: number;
	wrong: number;
	other: number;
	wrongExamples: string[];
}

const newCell = (): Cell => ({ total: 0, right: 0, asDefault: 0, refused: 0, wrong: 0, other: 0, wrongExamples: [] });

/**
 * What counts as the number meant. Written in E.164 (with or without +), the number itself. In
 * national format with no default code or its own, the number itself too. In national format with
 * another country's code the user has declared that country: the national reading under that code
 * (as libphonenumber parses it) is what was asked for, so it is counted apart (asDefault), not as wrong.
 */
export function crossCheck(numbers: OracleNumber[]): Map<string, Cell> {
	const cells = new Map<string, Cell>();
	for (const number of numbers) {
		for (const [writing, write] of Object.entries(WRITINGS) as Array<[Writing, (n: OracleNumber) => string]>) {
			const text = write(number);
			if (text === '' || text === '+') continue;
			for (const mode of MODES) {
				if (mode !== 'own' && mode === number.callingCode) continue;
				const code = mode === 'none' ? '' : mode === 'own' ? number.callingCode : mode;
				const key = `${writing}|${mode}`;
				const cell = cells.get(key) ?? newCell();
				cells.set(key, cell);
				cell.total++;
				const read = normalizePhone(text, code);
				if (!read.ok) cell.refused++;
				else if (read.phone === number.e164) cell.right++;
				else if (writing.startsWith('national') && mode !== 'none' && mode !== 'own' && read.phone === libphonenumberNational(text, code)) cell.asDefault++;
				else if (isValidNumber(read.phone)) {
					cell.wrong++;
					const example = `${JSON.stringify(text)} (${number.e164}, ${number.region}) with ${JSON.stringify(code)} → ${read.phone}`;
					if (cell.wrongExamples.length < 5) cell.wrongExamples.push(example);
				} else cell.other++;
			}
		}
	}
	return cells;
}

const percent = (part: number, whole: number) => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`);

/** The table for docs: one row per writing and Default Country Code (the other codes summed). */
export function crossCheckTable(cells: Map<string, Cell>): string {
	const rows = ['| Written | Default Country Code | Numbers | Read right | Refused | Wrong number | Other |', '|---|---|---:|---:|---:|---:|---:|'];
	for (const writing of Object.keys(WRITINGS) as Writing[]) {
		for (const [label, modes] of [
			['none', ['none']],
			['its own', ['own']],
			[`${OTHER_CODES.length} others`, OTHER_CODES],
		] as Array<[string, string[]]>) {
			const sum = newCell();
			for (const mode of modes) {
				const cell = cells.get(`${writing}|${mode}`);
				if (!cell) continue;
				for (const field of ['total', 'right', 'asDefault', 'refused', 'wrong', 'other'] as const) sum[field] += cell[field];
			}
			const right = writing.startsWith('national') && label.endsWith('others') ? `${percent(sum.right, sum.total)} (+${percent(sum.asDefault, sum.total)} as the default's)` : percent(sum.right, sum.total);
			rows.push(`| ${writing} | ${label} | ${sum.total} | ${right} | ${percent(sum.refused, sum.total)} | ${sum.wrong} | ${sum.other} |`);
		}
	}
	return rows.join('\n');
}
