import type { IDeduplicationOutput } from 'n8n-workflow';

/**
 * Most entries kept in n8n's de-duplication store for one trigger node: a delivery's keys (at
 * most 3) and one claim token per execution, for about 2,500 deliveries. n8n reads and writes
 * them all as one row (about 270 KB at most) for each call. (4,000 let copies sent after 1,000
 * newer events run again in the queue-mode benchmark: docs/queue-mode.md.)
 */
export const SHARED_MAX_ENTRIES = 10_000;
/**
 * How long after recording a claim it is checked again. Two copies of an event can both find
 * the store without it only when each read before the other wrote; a racing copy's write lands
 * within its own read-to-write time (milliseconds), so after this wait it is there to see.
 */
export const SHARED_SETTLE_MS = 1_000;
/** Checks after a write that an unrelated execution's write overwrote, before giving up on exactness. */
export const SHARED_MAX_ROUNDS = 5;

/** n8n's `checkProcessedAndRecord(items, 'node', { mode: 'entries', maxEntries })`, bound to the node. */
export type RecordEntries = (entries: string[]) => Promise<IDeduplicationOutput>;

/**
 * - `first`: this execution holds the event; run it.
 * - `duplicate`: another execution recorded the event first; end here.
 * - `unsure`: the store kept losing this execution's writes; run it (losing an event is worse
 *   than running it twice).
 */
export type SharedClaim = 'first' | 'duplicate' | 'unsure';

/**
 * Claims an event's `keys` in n8n's de-duplication store (the processed_data table, shared by
 * every process of a queue-mode n8n). That store reads the row, adds, and writes it back, with
 * nothing atomic: two executions can each find a key missing and each record it, and a write
 * can erase entries another execution recorded in between. So each execution also records a
 * `token` of its own, waits, and looks again:
 * - its token is there: its write stands, and a copy that raced it wrote before it (that copy
 *   then finds the keys without its own token and stands down);
 * - the keys are there without its token: a copy's write replaced its own; stand down;
 * - neither: an unrelated write erased it; the look itself recorded both again, so wait and
 *   look again.
 * Exact when every racing read-to-write takes less than `settleMs`.
 */
export async function claimShared(
	record: RecordEntries,
	keys: string[],
	token: string,
	sleep: (ms: number) => Promise<void>,
	{ settleMs = SHARED_SETTLE_MS, maxRounds = SHARED_MAX_ROUNDS } = {},
): Promise<SharedClaim> {
	const seen = (result: IDeduplicationOutput) => result.processed.some((entry) => keys.includes(String(entry)));
	// A failed call (two first inserts of the row collide) wrote nothing: the next look tells.
	const attempt = async (entries: string[]) => record(entries).catch(() => undefined);
	const recorded = await attempt([...keys, token]);
	if (recorded && seen(recorded)) return 'duplicate';
	for (let round = 0; round < maxRounds; round += 1) {
		await sleep(settleMs);
		const look = await attempt([token, ...keys]);
		if (!look) continue;
		if (look.processed.includes(token)) return 'first';
		if (seen(look)) return 'duplicate';
	}
	return 'unsure';
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
				await this.sleep(this.batchMs);
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
