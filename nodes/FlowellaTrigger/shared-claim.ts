import type { IDeduplicationOutput } from 'n8n-workflow';

/**
 * Most entries kept in n8n's de-duplication store for one trigger node: a delivery's keys (at
 * most 3), one claim token per execution and one "ran" entry per event, for about 2,000
 * deliveries. n8n reads and writes them all as one row (about 270 KB at most) for each call.
 * (4,000 let copies sent after 1,000 newer events run again in the queue-mode benchmark:
 * docs/queue-mode.md.)
 */
export const SHARED_MAX_ENTRIES = 10_000;
/**
 * How long after recording a claim it is checked again. Two copies of an event can both find
 * the store without it only when each read before the other wrote; a racing copy's write lands
 * within its own read-to-write time (milliseconds), so after this wait it is there to see.
 */
export const SHARED_SETTLE_MS = 300;
/** Checks after a write that an unrelated execution's write overwrote, before running anyway. */
export const SHARED_MAX_ROUNDS = 5;
/** Calls that write the "ran" entry until one finds it there. */
export const SHARED_CONFIRM_TRIES = 6;
/** Pause before each of those calls but the first: longer than a call's read-to-write time. */
export const SHARED_CONFIRM_PAUSE_MS = 100;

/** n8n's `checkProcessedAndRecord(items, 'node', { mode: 'entries', maxEntries })`, bound to the node. */
export type RecordEntries = (entries: string[]) => Promise<IDeduplicationOutput>;

/**
 * - `first`: this execution holds the event; run it.
 * - `duplicate`: another execution holds it; end here.
 * - `unsure`: the store could not be asked; run it (losing an event is worse than running it twice).
 */
export type SharedClaim = 'first' | 'duplicate' | 'unsure';

export interface ClaimOptions {
	settleMs?: number;
	maxRounds?: number;
}

/** The key the "ran" entry hangs off: the delivery id's when there is one (Flowella's retries share it). */
function ranEntry(keys: string[]): string {
	const base = keys.find((key) => key.startsWith('d')) ?? keys.find((key) => key.startsWith('e')) ?? keys[0];
	return `${base}#ran`;
}

/**
 * Claims an event's `keys` in n8n's de-duplication store (the processed_data table, shared by
 * every process of a queue-mode n8n). That store reads the row, adds, and writes it back, with
 * nothing atomic: two executions can each find a key missing and each record it, and a write
 * erases what other executions wrote between its read and its write. Every call also records
 * what it asks about: the store only answers "was this entry there before I asked".
 *
 * 1. Record the keys and a `token` of this execution's. A key was there: an earlier copy holds
 *    the event; end here, with no wait. (That copy runs, or step 3 makes sure one does.)
 * 2. Otherwise copies that raced this one wrote within their own read-to-write time, and the
 *    later write erased the earlier one's token: wait, and look again (recording both again).
 *    This token there: run. The keys there without it: a racing copy holds the event (step 3).
 *    Neither: an unrelated write erased both; look again.
 * 3. A copy that lost in step 2 waits and then asks for the event's "ran" entry, which every
 *    copy that runs writes. There: end here. Missing: this copy runs (its question wrote it).
 *
 * Never none, whatever the timing and whatever a write erases: "ran" is written only by copies
 * that run and by step 3's question, and the first question asked when no copy runs finds it
 * missing. Twice only when a copy's read-to-write outlasts the wait, or a write erases "ran"
 * after its writer saw it there.
 */
export async function claimShared(
	record: RecordEntries,
	keys: string[],
	token: string,
	sleep: (ms: number) => Promise<void>,
	{ settleMs = SHARED_SETTLE_MS, maxRounds = SHARED_MAX_ROUNDS }: ClaimOptions = {},
): Promise<SharedClaim> {
	const seen = (result: IDeduplicationOutput) => result.processed.some((entry) => keys.includes(String(entry)));
	// A failed call (two first inserts of the row collide) wrote nothing: the next look tells.
	const attempt = async (entries: string[]) => await record(entries).catch(() => undefined);
	const ran = ranEntry(keys);
	const run = async (claim: SharedClaim) => {
		// A copy that lost to this one asks for it later: write until a call finds it there.
		// The look after a pause, so that a call of another process that read before the write
		// (and would erase it) has written by then.
		for (let index = 0; index < SHARED_CONFIRM_TRIES; index += 1) {
			if (index > 0) await sleep(SHARED_CONFIRM_PAUSE_MS);
			const result = await attempt([ran, ...keys]);
			if (result?.processed.includes(ran)) break;
		}
		return claim;
	};

	const recorded = await attempt([...keys, token]);
	if (recorded && seen(recorded)) return 'duplicate';
	let lost = false;
	for (let round = 0; round < maxRounds && !lost; round += 1) {
		await sleep(settleMs);
		const look = await attempt([token, ...keys]);
		if (!look) continue;
		if (look.processed.includes(token)) return await run('first');
		lost = seen(look);
	}
	if (!lost) return await run('unsure');
	// Twice the wait: the copy that won looks up to one wait after this one, then writes "ran".
	await sleep(maxRounds * settleMs);
	const question = await attempt([ran]);
	if (!question) return await run('unsure');
	return question.processed.includes(ran) ? 'duplicate' : await run('first');
}

/** Gathering time before a process's next call to the store: fewer, batched writes collide less. */
export const SHARED_BATCH_MS = 50;

interface Request {
	entries: string[];
	record: RecordEntries;
	resolve: (result: IDeduplicationOutput) => void;
	reject: (error: unknown) => void;
}

/**
 * One process's way to n8n's store for one trigger node: one call at a time, each carrying every
 * entry requested meanwhile. Each call rewrites the whole row, so concurrent calls erase each
 * other's entries; one per process at a time leaves only other processes' calls to collide with.
 * Within a batch an entry counts as recorded for the requests after the first that asked for it,
 * as if they had called one after the other.
 */
export class SharedStore {
	private pending: Request[] = [];
	private draining = false;

	constructor(
		private readonly sleep: (ms: number) => Promise<void>,
		private readonly batchMs = SHARED_BATCH_MS,
		private readonly random: () => number = Math.random,
	) {}

	/** `record` is n8n's helper of the execution asking; any execution of the node reaches the same row. */
	async record(entries: string[], record: RecordEntries): Promise<IDeduplicationOutput> {
		const result = new Promise<IDeduplicationOutput>((resolve, reject) => this.pending.push({ entries, record, resolve, reject }));
		if (!this.draining) void this.drain();
		return await result;
	}

	private async drain(): Promise<void> {
		this.draining = true;
		try {
			while (this.pending.length > 0) {
				// Anywhere from half to one and a half times: two processes calling in step would
				// erase each other's writes call after call.
				await this.sleep(this.batchMs * (0.5 + this.random()));
				const batch = this.pending.splice(0);
				try {
					const answer = await batch[0].record([...new Set(batch.flatMap((request) => request.entries))]);
					const before = new Set(answer.processed.map(String));
					const asked = new Set<string>();
					for (const request of batch) {
						const result: IDeduplicationOutput = { new: [], processed: [] };
						for (const entry of request.entries) {
							(before.has(entry) || asked.has(entry) ? result.processed : result.new).push(entry);
							asked.add(entry);
						}
						request.resolve(result);
					}
				} catch (error) {
					for (const request of batch) request.reject(error);
				}
			}
		} finally {
			this.draining = false;
		}
	}
}
