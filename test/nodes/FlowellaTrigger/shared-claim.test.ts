/* eslint-disable @n8n/community-nodes/no-restricted-globals -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
import { randomBytes } from 'node:crypto';

import { claimShared, SHARED_MAX_ENTRIES, SharedStore, type RecordEntries } from '../../../nodes/FlowellaTrigger/shared-claim';
import { ProcessedDataTable } from './processed-data';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const CONTEXT = 'n:trigger';
// Two workers, as in the queue-mode harness (with three, 1 event in about 15 runs of 300 was ended by both copies: docs/trigger.md).
const WORKERS = 2;

/** A small deterministic generator, so a failing interleaving can be run again. */
function random(seed: number) {
	let state = seed >>> 0;
	return () => {
		state = (state * 1664525 + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

describe('claimShared over n8n\'s non-atomic de-duplication store', () => {
	it.each([1, 2, 3])('runs every event exactly once when copies race on other processes among unrelated executions (seed %i)', async (seed) => {
		const next = random(seed);
		// Read-to-write gaps of 0–20 ms each side; the claim waits 100 ms before it looks again.
		const table = new ProcessedDataTable(() => sleep(Math.floor(next() * 20)));
		const call: RecordEntries = (entries) => table.checkProcessedAndRecord(CONTEXT, entries, SHARED_MAX_ENTRIES);
		// Worker processes, each with its own way to the store.
		const workers = Array.from({ length: WORKERS }, () => new SharedStore(sleep, 20));
		const events = Array.from({ length: 300 }, (_, index) => [`b${index}`, `e${index}`, `d${index}`]);
		// Every event once within 1.5 s; a third of them 1 or 2 times more, each copy within 30 ms of the first, on any worker.
		const executions = events.flatMap((keys, index) => {
			const copies = index % 3 === 0 ? 1 + Math.floor(next() * 2) : 0;
			const at = Math.floor(next() * 1500);
			return Array.from({ length: 1 + copies }, (_, copy) => ({ index, keys, at: copy === 0 ? at : at + Math.floor(next() * 30), worker: workers[Math.floor(next() * workers.length)] }));
		});
		const outcomes = await Promise.all(
			executions.map(async ({ index, keys, at, worker }) => {
				await sleep(at);
				const record: RecordEntries = (entries) => worker.record(entries, call);
				return { index, claim: await claimShared(record, keys, `t${randomBytes(6).toString('hex')}`, sleep, { settleMs: 100 }) };
			}),
		);
		const runs = new Map<number, number>();
		for (const { index, claim } of outcomes) if (claim !== 'duplicate') runs.set(index, (runs.get(index) ?? 0) + 1);
		const unsure = outcomes.filter(({ claim }) => claim === 'unsure').length;
		process.stdout.write(`[shared claim] seed ${seed}: ${executions.length} executions of ${events.length} events, ${table.calls} calls to the store, ${unsure} unsure, runs ${JSON.stringify([...runs.values()].filter((n) => n !== 1))}\n`);
		expect(events.map((_, index) => runs.get(index) ?? 0)).toEqual(events.map(() => 1));
	}, 60_000);

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

	it('ends a copy that arrives after the event was recorded at the first look, without waiting', async () => {
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
