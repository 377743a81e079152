/* eslint-disable @n8n/community-nodes/no-restricted-globals -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
import { claimShared, SHARED_MAX_ENTRIES, SharedStore, type RecordEntries } from '../../../nodes/FlowellaTrigger/shared-claim';
import { ProcessedDataTable } from './processed-data';
import { simulate } from './shared-claim-sim';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const CONTEXT = 'n:trigger';
const SEEDS = 100;
/** Runs with stalls: fewer, each is slower. */
const STALL_SEEDS = 50;
/** One side of a call's read-to-write time on a loaded machine: 2% of them stall up to 1.5 s, five times the claim's wait. */
const withStalls = (next: () => number) => (next() < 0.02 ? Math.floor(next() * 1500) : Math.floor(next() * 20));

async function seeds(options: Omit<Parameters<typeof simulate>[0], 'seed'>, count = SEEDS) {
	const totals = { executions: 0, lost: 0, twice: 0, unsure: 0, meanClaimMs: 0, maxClaimMs: 0 };
	for (let seed = 1; seed <= count; seed += 1) {
		const result = await simulate({ ...options, seed });
		totals.executions += result.executions;
		totals.lost += result.lost;
		totals.twice += result.twice;
		totals.unsure += result.unsure;
		totals.meanClaimMs += result.meanClaimMs / count;
		totals.maxClaimMs = Math.max(totals.maxClaimMs, result.maxClaimMs);
	}
	totals.meanClaimMs = Math.round(totals.meanClaimMs);
	return totals;
}

describe('claimShared over n8n\'s non-atomic de-duplication store', () => {
	// 300 events within 1.5 s, a third of them with 1 or 2 copies within 30 ms on any worker, calls
	// of 0–40 ms read-to-write: every worker calls the store without pause. Virtual time.
	it.each([2, 3])(`never loses an event, and runs none twice while calls take less than the wait (%i workers, ${SEEDS} seeded runs)`, async (workers) => {
		const totals = await seeds({ workers });
		process.stdout.write(`[shared claim] ${workers} workers, ${SEEDS} runs: ${JSON.stringify(totals)}\n`);
		expect(totals.lost).toBe(0);
		// Measured: 0 with 2 workers; with 3, 12 events of 30,000 (45,039 executions), where other
		// processes' writes kept erasing the "ran" entry or a token (docs/queue-mode.md).
		expect(totals.twice).toBeLessThanOrEqual(workers === 2 ? 0 : Math.ceil(totals.executions / 1000));
	}, 300_000);

	it.each([2, 3])(`never loses an event when calls stall for longer than the wait (%i workers, ${STALL_SEEDS} seeded runs)`, async (workers) => {
		const totals = await seeds({ workers, gapMs: withStalls }, STALL_SEEDS);
		process.stdout.write(`[shared claim] ${workers} workers with stalls, ${STALL_SEEDS} runs: ${JSON.stringify(totals)}\n`);
		expect(totals.lost).toBe(0);
	}, 300_000);

	it('runs one copy when both copies lose the race (each finds the keys without its token), which the look alone would lose', async () => {
		const table = new ProcessedDataTable(async () => undefined);
		const call: RecordEntries = async (entries) => await table.checkProcessedAndRecord(CONTEXT, entries, SHARED_MAX_ENTRIES);
		// Both copies' first calls find nothing; at every look the token is gone (erased by writes
		// of other processes), the keys are there: each concludes the other holds the event.
		const copy = (token: string): RecordEntries => {
			let calls = 0;
			return async (entries) => {
				calls += 1;
				if (calls === 1) return { new: entries, processed: [] };
				const result = await call(entries);
				return entries.includes(token) ? { new: [token], processed: result.processed.filter((entry) => entry !== token) } : result;
			};
		};
		await call(['b1', 'd1']);
		const claims = await Promise.all([claimShared(copy('t1'), ['b1', 'd1'], 't1', sleep, { settleMs: 5 }), claimShared(copy('t2'), ['b1', 'd1'], 't2', sleep, { settleMs: 5 })]);
		expect(claims.sort()).toEqual(['duplicate', 'first']);
	});

	it('batches one process\'s requests into one call, an entry asked twice counting as recorded for the second', async () => {
		const table = new ProcessedDataTable();
		const call: RecordEntries = (entries) => table.checkProcessedAndRecord(CONTEXT, entries, SHARED_MAX_ENTRIES);
		const store = new SharedStore(sleep, 10);
		const [a, b, c] = await Promise.all([store.record(['b1', 't1'], call), store.record(['b1', 't2'], call), store.record(['b2', 't3'], call)]);
		expect(table.calls).toBe(1);
		expect(a).toEqual({ new: ['b1', 't1'], processed: [] });
		expect(b).toEqual({ new: ['t2'], processed: ['b1'] });
		expect(c).toEqual({ new: ['b2', 't3'], processed: [] });
		expect(await store.record(['b2'], call)).toEqual({ new: [], processed: ['b2'] });
	});

	it('ends a copy that arrives after the event was recorded at the first call, without waiting', async () => {
		const table = new ProcessedDataTable();
		const record: RecordEntries = (entries) => table.checkProcessedAndRecord(CONTEXT, entries, SHARED_MAX_ENTRIES);
		expect(await claimShared(record, ['b1', 'd1'], 't1', sleep, { settleMs: 5 })).toBe('first');
		const waits: number[] = [];
		expect(await claimShared(record, ['b1', 'd2'], 't2', async (ms) => void waits.push(ms))).toBe('duplicate');
		expect(waits).toEqual([]);
	});

	it('survives the first two inserts of the row colliding', async () => {
		const table = new ProcessedDataTable(() => sleep(5));
		const record: RecordEntries = (entries) => table.checkProcessedAndRecord(CONTEXT, entries, SHARED_MAX_ENTRIES);
		const claims = await Promise.all([claimShared(record, ['b1'], 't1', sleep, { settleMs: 50 }), claimShared(record, ['b1'], 't2', sleep, { settleMs: 50 })]);
		expect(claims.sort()).toEqual(['duplicate', 'first']);
	});

	it('can run a copy twice when a racing read-to-write outlasts the wait (the stated limit)', async () => {
		// Call 1 creates the row; calls 2 and 3 are the two copies' first calls, read at the same
		// moment; the second one's write lands 600 ms later, after the first copy looked again.
		const table = new ProcessedDataTable((call) => sleep(call === 3 ? 300 : 0));
		const record: RecordEntries = (entries) => table.checkProcessedAndRecord(CONTEXT, entries, SHARED_MAX_ENTRIES);
		await record(['unrelated']);
		const claims = await Promise.all([claimShared(record, ['b1'], 't1', sleep, { settleMs: 100 }), claimShared(record, ['b1'], 't2', sleep, { settleMs: 100 })]);
		expect(claims).toEqual(['first', 'first']);
	});

	it('runs the event ("unsure") when the store never keeps its writes, and when every call fails', async () => {
		const forgetful: RecordEntries = async (entries) => ({ new: entries, processed: [] });
		expect(await claimShared(forgetful, ['b1'], 't1', async () => undefined)).toBe('unsure');
		const broken: RecordEntries = async () => {
			throw new Error('database down');
		};
		expect(await claimShared(broken, ['b1'], 't1', async () => undefined)).toBe('unsure');
	});

	it('keeps the row bounded', async () => {
		const table = new ProcessedDataTable(async () => undefined);
		const record: RecordEntries = (entries) => table.checkProcessedAndRecord(CONTEXT, entries, SHARED_MAX_ENTRIES);
		for (let index = 0; index < 3000; index += 1) await claimShared(record, [`b${index}`, `e${index}`, `d${index}`], `t${index}`, async () => undefined);
		expect(table.size(CONTEXT)).toBe(SHARED_MAX_ENTRIES);
	});
});
