// Copies of events racing through n8n's non-atomic de-duplication store from several worker
// processes, in virtual time (test/support/virtualClock.ts): seeded, so a failing run can be
// run again, and fast enough for hundreds of runs.
import { claimShared, SHARED_MAX_ENTRIES, SharedStore, type ClaimOptions, type RecordEntries, type SharedClaim } from '../../../nodes/FlowellaTrigger/shared-claim';
import { VirtualClock } from '../../support/virtualClock';
import { ProcessedDataTable } from './processed-data';

/** A small deterministic generator (LCG), so a failing interleaving can be run again. */
export function seeded(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state * 1664525 + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

export interface SimulationOptions {
	seed: number;
	workers: number;
	events?: number;
	/** One side of a call's read-to-write time (ms), drawn per side: a database round trip, a busy event loop. */
	gapMs?: (next: () => number) => number;
	/** Copies of event `index` beyond its first delivery. */
	copies?: (index: number, next: () => number) => number;
	/** How long after the first delivery's execution starts a copy's does (ms). */
	copyLagMs?: (next: () => number) => number;
	claim?: ClaimOptions;
}

export interface SimulationResult {
	executions: number;
	calls: number;
	/** Events no execution ran (the promise: never). */
	lost: number;
	/** Events more than one execution ran. */
	twice: number;
	unsure: number;
	/** Virtual ms each execution spent in the claim, mean and worst. */
	meanClaimMs: number;
	maxClaimMs: number;
	claims: SharedClaim[];
}

/** Every event's first delivery within 1.5 s; copies on any worker; claims as the trigger's execute() makes them. */
export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
	const next = seeded(options.seed);
	const clock = new VirtualClock();
	const sleep = async (ms: number) => await clock.sleep(ms);
	const gapMs = options.gapMs ?? ((n) => Math.floor(n() * 20));
	const table = new ProcessedDataTable(async () => await sleep(gapMs(next)));
	const call: RecordEntries = async (entries) => await table.checkProcessedAndRecord('n:trigger', entries, SHARED_MAX_ENTRIES);
	const workers = Array.from({ length: options.workers }, () => new SharedStore(sleep, undefined, next));
	const count = options.events ?? 300;
	const copies = options.copies ?? ((index, n) => (index % 3 === 0 ? 1 + Math.floor(n() * 2) : 0));
	const copyLagMs = options.copyLagMs ?? ((n) => Math.floor(n() * 30));
	const executions = Array.from({ length: count }, (_, index) => index).flatMap((index) => {
		const keys = [`b${index}`, `e${index}`, `d${index}`];
		const at = Math.floor(next() * 1500);
		return Array.from({ length: 1 + copies(index, next) }, (_, copy) => ({
			index,
			keys,
			at: copy === 0 ? at : at + copyLagMs(next),
			worker: workers[Math.floor(next() * workers.length)],
		}));
	});
		const outcomes = await clock.run(
		Promise.all(
			executions.map(async ({ index, keys, at, worker }) => {
				await sleep(at);
				const started = clock.now();
				const claim = await claimShared(async (entries) => await worker.record(entries, call), keys, `t${Math.floor(next() * 2 ** 48).toString(36)}`, sleep, options.claim);
				return { index, claim, ms: clock.now() - started };
			}),
		),
	);
	const runs = new Array<number>(count).fill(0);
	for (const { index, claim } of outcomes) if (claim !== 'duplicate') runs[index] += 1;
	const ms = outcomes.map((outcome) => outcome.ms);
	return {
		executions: executions.length,
		calls: table.calls,
		lost: runs.filter((n) => n === 0).length,
		twice: runs.filter((n) => n > 1).length,
		unsure: outcomes.filter(({ claim }) => claim === 'unsure').length,
		meanClaimMs: Math.round(ms.reduce((sum, value) => sum + value, 0) / ms.length),
		maxClaimMs: Math.round(Math.max(...ms)),
		claims: outcomes.map((outcome) => outcome.claim),
	};
}
