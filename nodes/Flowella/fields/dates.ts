// Date-time parameters: n8n's date picker gives a local time without a zone ("2026-03-01T09:00:00"),
// meant in the workflow's timezone; Flowella wants an ISO instant. No runtime dependency, so the
// zone arithmetic is done with Intl, which knows every IANA zone.

export type DateReading = { ok: true; iso: string; time: number } | { ok: false; reason: string };

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/;
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Milliseconds that `timeZone` is ahead of UTC at the instant `time`. */
function zoneOffsetMs(time: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
		hour: 'numeric',
		minute: 'numeric',
		second: 'numeric',
	}).formatToParts(new Date(time));
	const part = (type: string) => Number(parts.find((entry) => entry.type === type)?.value);
	const asUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
	return asUtc - Math.floor(time / 1000) * 1000;
}

function fromLocal(match: RegExpExecArray, timeZone: string): number {
	const [, year, month, day, hour = '0', minute = '0', second = '0', ms = '0'] = match;
	const wall = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), Number(ms.padEnd(3, '0')));
	// Date.UTC rolls 2026-13-01 over into 2027; such a value is not a date.
	const check = new Date(wall);
	if (check.getUTCMonth() + 1 !== Number(month) || check.getUTCDate() !== Number(day) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
		return Number.NaN;
	}
	// The offset at the guessed instant, then once more at the result (a DST change in between).
	let time = wall - zoneOffsetMs(wall, timeZone);
	time = wall - zoneOffsetMs(time, timeZone);
	return time;
}

/**
 * Reads a date-time parameter as an instant: an ISO string with a zone as it says, one without
 * a zone in `timeZone`, a Date, or a Luxon DateTime (what `{{ $now }}` gives).
 */
export function readDateTime(value: unknown, timeZone: string): DateReading {
	if (value instanceof Date) {
		return Number.isNaN(value.getTime()) ? { ok: false, reason: 'is not a valid date' } : { ok: true, iso: value.toISOString(), time: value.getTime() };
	}
	const luxon = value as { toISO?: unknown; isValid?: unknown } | null;
	if (typeof luxon === 'object' && luxon !== null && typeof luxon.toISO === 'function') {
		return readDateTime(luxon.isValid === false ? 'invalid' : (luxon.toISO as () => string)(), timeZone);
	}
	if (typeof value !== 'string' || value.trim() === '') return { ok: false, reason: 'is empty' };
	const text = value.trim();
	let time = Number.NaN;
	if (WITH_ZONE.test(text)) time = Date.parse(text.replace(' ', 'T'));
	else {
		const match = LOCAL.exec(text);
		if (match) time = fromLocal(match, timeZone);
	}
	if (Number.isNaN(time)) {
		return { ok: false, reason: 'is not a date and time such as 2026-03-01T09:00:00 or 2026-03-01T09:00:00Z' };
	}
	return { ok: true, iso: new Date(time).toISOString(), time };
}
