/** How long a delivery key is remembered: longer than Flowella's retries of one event last. */
export const SEEN_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Most keys kept in memory per trigger node. */
export const SEEN_MAX_KEYS = 20_000;
/** Most keys mirrored to the workflow's static data, for restarts. */
export const MIRROR_MAX_KEYS = 1_000;
/**
 * While events keep coming, at most one mirror per this interval: each one makes n8n write the
 * workflow's static data to its database, which n8n's Webhook node never does.
 */
export const MIRROR_INTERVAL_MS = 1_000;

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

	/** True when `key` is new (and now recorded), false when it was seen before. */
	claim(key: string, nowMs: number): boolean {
		this.prune(nowMs);
		if (this.keys.has(key)) return false;
		this.keys.set(key, nowMs);
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

	/** Adds keys remembered elsewhere (static data after a restart); keeps the order by age. */
	merge(entries: unknown, nowMs: number): void {
		if (!Array.isArray(entries)) return;
		const known = entries.filter(
			(entry): entry is SeenEntry =>
				Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number' && !this.keys.has(entry[0]),
		);
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

// One store per trigger node (workflow, node, test or production URL), for the life of the
// n8n process: n8n loads a node's static data per request and writes all of it back, so two
// concurrent requests would lose each other's keys there.
const stores = new Map<string, SeenKeys>();

export function seenKeysFor(scope: string): SeenKeys {
	let store = stores.get(scope);
	if (!store) {
		store = new SeenKeys();
		stores.set(scope, store);
	}
	return store;
}

/**
 * The de-duplication key: X-Flowella-Delivery, else event type + data.id (a message's id alone
 * is shared by its sent, delivered and read events). Undefined when the event has neither.
 */
export function deliveryKey(deliveryId: string | undefined, eventType: string, body: Record<string, unknown>): string | undefined {
	if (deliveryId) return `delivery:${deliveryId}`;
	const data = body.data;
	if (data && typeof data === 'object' && !Array.isArray(data)) {
		const id = (data as Record<string, unknown>).id;
		if ((typeof id === 'string' && id !== '') || typeof id === 'number') return `event:${eventType}:${String(id)}`;
	}
	return undefined;
}
