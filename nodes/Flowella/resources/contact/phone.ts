/**
 * Phone cleanup applied before validation. What it does, and nothing more:
 * - a number (Google Sheets turns 34612345678 into one) becomes its digits;
 * - spaces (including no-break spaces), tabs, dots, dashes and parentheses are removed;
 * - a leading `00` becomes `+`;
 * - without a leading `+`: with a default country code, the number is national: one leading
 *   trunk `0` is dropped and `+<code>` is put in front; without one, digits that do not start
 *   with `0` are taken as international already (as WhatsApp and spreadsheets write them) and
 *   get a `+`.
 * Letters, extensions, slashes and other symbols are not removed: such a value is refused.
 */

export type PhoneCleanup = { ok: true; phone: string } | { ok: false; reason: string };

const FORMATTING_CHARACTERS = /[\s\u00a0.\-()]/g;
const E164 = /^\+[1-9]\d{1,14}$/;
const COUNTRY_CODE = /^[1-9]\d{0,2}$/;

export function isValidCountryCode(code: string): boolean {
	return COUNTRY_CODE.test(code);
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

	let phone = text.phone.replace(FORMATTING_CHARACTERS, '');
	if (phone === '') return { ok: false, reason: 'is empty' };
	if (!/^\+?\d+$/.test(phone)) return { ok: false, reason: 'may hold only digits, a leading + and spacing' };
	if (phone.startsWith('00')) phone = `+${phone.slice(2)}`;

	if (!phone.startsWith('+')) {
		if (defaultCountryCode) {
			phone = `+${defaultCountryCode}${phone.replace(/^0/, '')}`;
		} else if (phone.startsWith('0')) {
			return {
				ok: false,
				reason:
					'looks like a national number: write it with its country code (e.g. +34612345678) or set Options → Default Country Code',
			};
		} else {
			phone = `+${phone}`;
		}
	}

	if (!E164.test(phone)) {
		return { ok: false, reason: 'is not an international (E.164) number: a + followed by 2 to 15 digits, not starting with 0' };
	}
	return { ok: true, phone };
}
