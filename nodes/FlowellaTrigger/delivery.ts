import type { IDataObject } from 'n8n-workflow';

import { checkTimestamp, computeSignature, signatureMatches } from './verify';

export type Headers = Record<string, string | string[] | undefined>;

/** A delivery that passed every check: the event as received, and what the headers add. */
export interface AcceptedDelivery {
	ok: true;
	/** The bytes the signature covers. */
	raw: Buffer;
	body: IDataObject;
	eventType: string;
	deliveryId?: string;
	timestamp: 'ok' | 'missing';
}

/** A delivery refused before anything runs: the HTTP status and a reason safe to show the sender. */
export interface RefusedDelivery {
	ok: false;
	status: 400 | 401 | 415;
	reason: string;
	/** True when the signature is missing or wrong (or there is no secret): the only failure a newer secret could fix. */
	signature?: true;
}

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;
/** Longest X-Flowella-Delivery or X-Flowella-Event taken: they are unsigned, and a delivery id ends up in the output. */
export const MAX_HEADER_LENGTH = 256;

const HEADER_NAMES: Record<string, string> = { 'x-flowella-delivery': 'X-Flowella-Delivery', 'x-flowella-event': 'X-Flowella-Event' };

function header(headers: Headers, name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}

/**
 * Verifies one request the way Flowella signs it: the signature over the raw body bytes first
 * (nothing else is looked at for an unsigned request), then the timestamp window, then that the
 * body is a JSON object. Never echoes the secret or the expected signature.
 */
export function checkDelivery(rawBody: Buffer | undefined, headers: Headers, secret: string, nowMs: number): AcceptedDelivery | RefusedDelivery {
	const raw = rawBody ?? Buffer.alloc(0);
	if (secret === '') return { ok: false, status: 401, reason: 'The trigger has no signing secret', signature: true };
	const provided = header(headers, 'x-flowella-signature');
	if (provided === undefined) return { ok: false, status: 401, reason: 'Missing X-Flowella-Signature', signature: true };
	if (!signatureMatches(computeSignature(secret, raw), provided)) {
		return { ok: false, status: 401, reason: 'X-Flowella-Signature does not match the body', signature: true };
	}
	const timestamp = checkTimestamp(header(headers, 'x-flowella-timestamp'), nowMs);
	if (timestamp === 'malformed') return { ok: false, status: 401, reason: 'X-Flowella-Timestamp is not Unix seconds' };
	if (timestamp === 'outOfWindow') {
		return { ok: false, status: 401, reason: 'X-Flowella-Timestamp is more than 5 minutes from now (replayed or delayed delivery)' };
	}
	if (!JSON_CONTENT_TYPE.test(header(headers, 'content-type') ?? '')) {
		return { ok: false, status: 415, reason: 'Content-Type must be application/json' };
	}
	let body: unknown;
	try {
		// n8n strips a byte order mark before parsing; the signature above covered it.
		body = JSON.parse(raw.toString('utf8').replace(/^\uFEFF/, ''));
	} catch {
		return { ok: false, status: 400, reason: 'The body is not valid JSON' };
	}
	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		return { ok: false, status: 400, reason: 'The body is not a JSON object' };
	}
	const fields = body as IDataObject;
	// The body is signed, the headers are not: the body's event type wins.
	const fromBody = typeof fields.event === 'string' ? fields.event : typeof fields.type === 'string' ? fields.type : undefined;
	for (const name of ['x-flowella-delivery', 'x-flowella-event']) {
		if ((header(headers, name)?.length ?? 0) > MAX_HEADER_LENGTH) {
			return { ok: false, status: 400, reason: `${HEADER_NAMES[name]} is longer than ${MAX_HEADER_LENGTH} characters` };
		}
	}
	const eventType = fromBody ?? header(headers, 'x-flowella-event') ?? '';
	const deliveryId = header(headers, 'x-flowella-delivery')?.trim() || undefined;
	return { ok: true, raw, body: fields, eventType, deliveryId, timestamp };
}

/** The output item: the body exactly as received, plus event type and delivery id where it lacks them. */
export function eventItem(delivery: AcceptedDelivery): IDataObject {
	const item: IDataObject = { ...delivery.body };
	if (item.event === undefined && item.type === undefined && delivery.eventType !== '') item.event = delivery.eventType;
	if (item.deliveryId === undefined && delivery.deliveryId !== undefined) item.deliveryId = delivery.deliveryId;
	return item;
}
