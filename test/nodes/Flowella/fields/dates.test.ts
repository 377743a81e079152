import { DateTime } from 'luxon';

import { readDateTime } from '../../../../nodes/Flowella/fields/dates';

const iso = (value: unknown, zone = 'Europe/Madrid') => {
	const reading = readDateTime(value, zone);
	return reading.ok ? reading.iso : `refused: ${reading.reason}`;
};

describe('readDateTime', () => {
	it.each([
		// Madrid is UTC+1 in winter, UTC+2 in summer.
		['2026-01-15T09:00:00', 'Europe/Madrid', '2026-01-15T08:00:00.000Z'],
		['2026-07-15T09:00:00', 'Europe/Madrid', '2026-07-15T07:00:00.000Z'],
		['2026-07-15', 'Europe/Madrid', '2026-07-14T22:00:00.000Z'],
		['2026-07-15 09:30', 'America/New_York', '2026-07-15T13:30:00.000Z'],
		['2026-01-15T09:00:00.250', 'Asia/Kolkata', '2026-01-15T03:30:00.250Z'],
		['2026-01-15T09:00:00', 'UTC', '2026-01-15T09:00:00.000Z'],
		// A zone in the value wins over the workflow's.
		['2026-01-15T09:00:00Z', 'Europe/Madrid', '2026-01-15T09:00:00.000Z'],
		['2026-01-15T09:00:00+05:30', 'Europe/Madrid', '2026-01-15T03:30:00.000Z'],
		// Around the spring change in Madrid (02:00 → 03:00 on 2026-03-29).
		['2026-03-29T01:30:00', 'Europe/Madrid', '2026-03-29T00:30:00.000Z'],
		['2026-03-29T03:30:00', 'Europe/Madrid', '2026-03-29T01:30:00.000Z'],
	])('%s in %s is %s', (value, zone, expected) => {
		expect(iso(value, zone)).toBe(expected);
	});

	it('takes Dates and Luxon DateTimes as they are', () => {
		expect(iso(new Date('2026-02-01T10:00:00Z'))).toBe('2026-02-01T10:00:00.000Z');
		expect(iso(DateTime.fromISO('2026-02-01T12:00:00', { zone: 'Europe/Madrid' }))).toBe('2026-02-01T11:00:00.000Z');
	});

	it.each([[''], ['tomorrow'], ['2026-13-01'], ['01/02/2026'], [null], [undefined], [42], [new Date('x')]])('refuses %p', (value) => {
		expect(iso(value)).toMatch(/^refused: /);
	});
});
