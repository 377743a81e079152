'use strict';
// The emulator's read side: cursor pages over stored contacts and conversations, and outbound
// message analytics computed from stored messages. Contract: GET /api/v1/contacts,
// /api/v1/conversations (limit 1–100, default 25, opaque cursor, {items, nextCursor}) and
// /api/v1/analytics (startDate, endDate).

const CONVERSATION_STATUSES = ['OPEN', 'CLOSED', 'PENDING', 'ARCHIVED', 'SNOOZED'];
const MESSAGE_STATUSES = ['PENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED'];

const invalid = (message) => ({ status: 400, body: { error: { code: 'VALIDATION_ERROR', message } } });

/**
 * Where a request's cursor points (0 without one), or undefined for a cursor the emulator did not
 * issue. A cursor is base64url of `<offset>` or, for an empty page's, `<offset>.<serial>`.
 */
function cursorOffset(query, rowCount = Number.MAX_SAFE_INTEGER) {
	if (query.cursor === undefined) return 0;
	const decoded = Buffer.from(String(query.cursor), 'base64url').toString('utf8');
	const match = /^(\d+)(\.\d+)?$/.exec(decoded);
	const offset = match ? Number(match[1]) : Number.NaN;
	if (!Number.isSafeInteger(offset) || offset > rowCount || Buffer.from(decoded).toString('base64url') !== query.cursor) return undefined;
	return offset;
}

/**
 * One page of `rows`. The cursor is opaque to clients (base64url of an offset here); the last
 * page, even a full one, carries `nextCursor: null`.
 */
function page(rows, query) {
	const limit = query.limit === undefined ? 25 : Number(query.limit);
	if (!/^\d+$/.test(String(query.limit ?? '25')) || !Number.isInteger(limit) || limit < 1 || limit > 100) {
		return invalid('limit: must be an integer from 1 to 100');
	}
	const offset = cursorOffset(query, rows.length);
	if (offset === undefined) return invalid('cursor: invalid or expired');
	const items = rows.slice(offset, offset + limit).map((row) => structuredClone(row));
	const nextCursor = offset + limit < rows.length ? Buffer.from(String(offset + limit)).toString('base64url') : null;
	return { status: 200, body: { items, nextCursor } };
}

/**
 * The `emptyPage` fault: no items, but a cursor to where this request pointed (a new one each
 * time, `serial`), as a server that pages first and filters after may answer. The contract ends a
 * list only on a missing, null or empty cursor, so a client must follow it.
 */
function emptyPage(query, serial) {
	const offset = cursorOffset(query);
	if (offset === undefined) return invalid('cursor: invalid or expired');
	return { status: 200, body: { items: [], nextCursor: Buffer.from(`${offset}.${serial}`).toString('base64url') } };
}

function listConversations(conversations, query) {
	if (query.status !== undefined && !CONVERSATION_STATUSES.includes(query.status)) {
		return invalid(`status: must be one of ${CONVERSATION_STATUSES.join(', ')}`);
	}
	const rows = query.status === undefined ? conversations : conversations.filter((row) => row.status === query.status);
	return page(rows, query);
}

function isoDate(value) {
	if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
	const time = Date.parse(value);
	return Number.isNaN(time) ? undefined : time;
}

/** Outbound messages created in [startDate, endDate], counted by status; rates are fractions. */
function analytics(messages, query) {
	const start = isoDate(query.startDate);
	const end = isoDate(query.endDate);
	if (start === undefined) return invalid('startDate: must be an ISO 8601 date-time');
	if (end === undefined) return invalid('endDate: must be an ISO 8601 date-time');
	if (end < start) return invalid('endDate: must not be before startDate');
	const counts = Object.fromEntries(MESSAGE_STATUSES.map((status) => [status, 0]));
	for (const message of messages) {
		const at = Date.parse(message.createdAt);
		if (message.direction === 'outbound' && at >= start && at <= end) counts[message.status] += 1;
	}
	const total = MESSAGE_STATUSES.reduce((sum, status) => sum + counts[status], 0);
	const rate = (count) => (total === 0 ? 0 : Math.round((count / total) * 10_000) / 10_000);
	return {
		status: 200,
		body: {
			period: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
			outboundMessages: {
				total,
				counts,
				// Delivered includes read (a read message was delivered first).
				deliveryRate: rate(counts.DELIVERED + counts.READ),
				readRate: rate(counts.READ),
				failureRate: rate(counts.FAILED),
			},
		},
	};
}

module.exports = { page, emptyPage, listConversations, analytics, CONVERSATION_STATUSES, MESSAGE_STATUSES };
