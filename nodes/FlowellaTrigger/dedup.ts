import { createHash } from 'crypto';

import { TEST_EVENT } from './events';

/** How long a delivery key is remembered: longer than Flowella's retries of one event last. */
export const SEEN_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Keys per delivery at most: its body, its event (type + data.id) and its delivery id. */
const KEYS_PER_DELIVERY = 3;
/** Most keys kept in memory per trigger node: 20,000 deliveries. */
export const SEEN_MAX_KEYS = 20_000 * KEYS_PER_DELIVERY;
/** Most keys mirrored to the workflow's static data, for restarts: 1,000 deliveries. */
export const MIRROR_MAX_KEYS = 1_000 * KEYS_PER_DELIVERY;
/**
 * While events keep coming, at most one mirror per this interval: each one makes n8n write the
 * workflow's static data to its database, which n8n's Webhook node never does.
 */
export const MIRROR_INTERVAL_MS = 1_000;

/** A key: its kind (b body, e event, d delivery id), then 128 bits of SHA-256 in base64url. */
const KEY_SHAPE = /^[bed][A-Za-z0-9_-]{22}$/;

/** `[key, first seen in Unix ms]`, oldest first: the shape mirrored to static data. */
export type SeenEntry = [string, number];

/**
 * Delivery keys seen by one trigger node in this process, oldest first, bounded by count and
 * age. `claim` checks and records in one synchronous step, so two concurrent requests for the
 * same key in one process can never both win.
 */
export class SeenKeys {
	private readonly keys = new Map<string, number>();
	/** The last mirror taken in (or written), so an unchanged one is not merged again per request. */
	private lastMirror: unknown;
	private lastMirrorMs = -Infinity;
	private claimedSinceMirror = false;
	/** Claims whose execution has not reached the trigger's step yet: none left ends a burst. */
	private awaitingRun = 0;

	constructor(
		private readonly maxKeys = SEEN_MAX_KEYS,
		private readonly maxAgeMs = SEEN_MAX_AGE_MS,
	) {}

	/**
	 * True when none of a delivery's `keys` was seen before (they are now recorded), false when
	 * one was: then nothing is recorded, so requests that start nothing add nothing.
	 */
	claim(keys: readonly string[], nowMs: number): boolean {
		this.prune(nowMs);
		if (keys.length === 0 || keys.some((key) => this.keys.has(key))) return false;
		for (const key of keys) this.keys.set(key, nowMs);
		this.claimedSinceMirror = true;
		this.awaitingRun += 1;
		while (this.keys.size > this.maxKeys) this.keys.delete(this.keys.keys().next().value as string);
		return true;
	}

	/**
	 * Takes in a mirror read from static data (this process's before a restart, or another
	 * process's), once per distinct mirror: a request that finds the mirror it saw before merges nothing.
	 */
	adopt(mirror: unknown, nowMs: number): void {
		if (mirror === undefined || mirror === this.lastMirror) return;
		this.lastMirror = mirror;
		this.merge(parseMirror(mirror), nowMs);
	}

	/**
	 * Called by the execution a claim started: whether it should mirror. Yes when keys were
	 * claimed since the last mirror and either no other claimed event awaits its execution (the
	 * burst is over) or the last mirror is at least `MIRROR_INTERVAL_MS` old.
	 */
	runStarted(nowMs: number): boolean {
		if (this.awaitingRun > 0) this.awaitingRun -= 1;
		return this.claimedSinceMirror && (this.awaitingRun === 0 || nowMs - this.lastMirrorMs >= MIRROR_INTERVAL_MS);
	}

	/** The newest `limit` keys as one JSON string (one value for n8n to load, not `limit` objects). */
	mirror(nowMs: number, limit = MIRROR_MAX_KEYS): string {
		const text = JSON.stringify(this.newest(limit));
		this.lastMirror = text;
		this.lastMirrorMs = nowMs;
		this.claimedSinceMirror = false;
		return text;
	}

	has(key: string, nowMs: number): boolean {
		this.prune(nowMs);
		return this.keys.has(key);
	}

	/**
	 * Adds keys remembered elsewhere (static data after a restart); keeps the order by age. Takes
	 * only keys of the current shape, and turns the readable keys of earlier versions into it.
	 */
	merge(entries: unknown, nowMs: number): void {
		if (!Array.isArray(entries)) return;
		const known: SeenEntry[] = [];
		for (const entry of entries) {
			if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'number') continue;
			const key = KEY_SHAPE.test(entry[0]) ? entry[0] : fromEarlierKey(entry[0]);
			if (key !== undefined && !this.keys.has(key)) known.push([key, entry[1]]);
		}
		if (known.length === 0) return;
		const all = [...this.keys.entries(), ...known].sort((a, b) => a[1] - b[1]);
		this.keys.clear();
		for (const [key, at] of all) this.keys.set(key, at);
		this.prune(nowMs);
		while (this.keys.size > this.maxKeys) this.keys.delete(this.keys.keys().next().value as string);
	}

	/** The newest `limit` entries, oldest first. */
	newest(limit: number): SeenEntry[] {
		const entries = [...this.keys.entries()];
		return entries.slice(Math.max(0, entries.length - limit));
	}

	get size(): number {
		return this.keys.size;
	}

	private prune(nowMs: number): void {
		for (const [key, at] of this.keys) {
			if (nowMs - at <= this.maxAgeMs) break;
			this.keys.delete(key);
		}
	}
}

/** The entries of a mirror: a JSON string of `[key, ms]` pairs, or such a list (the first format). */
export function parseMirror(mirror: unknown): unknown {
	if (typeof mirror !== 'string') return mirror;
	try {
		return JSON.parse(mirror) as unknown;
	} catch {
		return undefined;
	}
}

function digestKey(kind: 'b' | 'e' | 'd', content: Buffer | string): string {
	return kind + createHash('sha256').update(content).digest('base64url').slice(0, 22);
}

/**
 * The keys of an accepted delivery; a delivery any of whose keys was seen starts nothing.
 * - The raw body's digest: what the signature covers, so a captured request replayed with other
 *   unsigned headers (a new X-Flowella-Delivery, none, a fresh timestamp) is still recognised.
 * - Event type + data.id: Flowella says to de-duplicate on data.id, so the same event sent again
 *   in other bytes is the same event (with the type: a message's sent, delivered and read events
 *   share its id). Not for webhook.test, whose every "Send test" press should start the workflow.
 * - X-Flowella-Delivery: Flowella's own id for the delivery and its retries.
 * Fixed-size digests, whatever a sender puts in a header.
 */
export function deliveryKeys(rawBody: Buffer, deliveryId: string | undefined, eventType: string, body: Record<string, unknown>): string[] {
	const keys = [digestKey('b', rawBody)];
	const data = body.data;
	if (eventType !== TEST_EVENT && data && typeof data === 'object' && !Array.isArray(data)) {
		const id = (data as Record<string, unknown>).id;
		if ((typeof id === 'string' && id !== '') || typeof id === 'number') keys.push(digestKey('e', `event:${eventType}:${String(id)}`));
	}
	if (deliveryId) keys.push(digestKey('d', `delivery:${deliveryId}`));
	return keys;
}

/** An earlier version's mirrored key (`delivery:<id>` or `event:<type>:<id>`) as today's, so an upgrade forgets nothing. */
function fromEarlierKey(key: string): string | undefined {
	if (key.startsWith('delivery:')) return digestKey('d', key);
	if (key.startsWith('event:')) return digestKey('e', key);
	return undefined;
}
