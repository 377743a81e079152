/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// A replay storm: one captured signed request sent again 20,000 times with new unsigned headers
// (issue 18 §4). Counts the executions it starts, the heap the de-duplication store holds
// afterwards and the static-data mirror the started executions write; prints the figures.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import type { IDataObject } from 'n8n-workflow';

import { call, freshProcess, runStep, signed, started, type Delivery, type TriggerModule } from './trigger-calls';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapUsed = () => {
	gc();
	gc();
	return process.memoryUsage().heapUsed;
};
const MiB = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;

const REPLAYS = 20_000;
/** Requests whose execution has not reached the trigger's step yet, as under load. */
const IN_FLIGHT = 50;

interface Storm {
	started: number;
	answers: Record<number, number>;
	storeHeapMiB: number;
	largestMirrorBytes: number;
}

/** Sends `requests` to a fresh process; each started execution runs the trigger's step, IN_FLIGHT behind. */
async function storm(requests: (index: number) => Delivery, count: number, warmUp?: Delivery): Promise<Storm> {
	const module: TriggerModule = freshProcess();
	const result: Storm = { started: 0, answers: {}, storeHeapMiB: 0, largestMirrorBytes: 0 };
	let awaiting = 0;
	const step = async () => {
		const staticData: IDataObject = {};
		await runStep(module, staticData);
		if (typeof staticData.seenDeliveries === 'string') result.largestMirrorBytes = Math.max(result.largestMirrorBytes, Buffer.byteLength(staticData.seenDeliveries));
	};
	if (warmUp) {
		expect(started(await call(module, warmUp))).toHaveLength(1);
		await step();
		result.largestMirrorBytes = 0; // the original's own write is not the storm's
	}
	const before = heapUsed();
	for (let index = 0; index < count; index += 1) {
		const outcome = await call(module, requests(index));
		if (outcome.status !== undefined) result.answers[outcome.status] = (result.answers[outcome.status] ?? 0) + 1;
		if (started(outcome).length === 0) continue;
		result.started += 1;
		awaiting += 1;
		if (awaiting > IN_FLIGHT) {
			awaiting -= 1;
			await step();
		}
	}
	for (; awaiting > 0; awaiting -= 1) await step();
	result.storeHeapMiB = MiB(heapUsed() - before);
	// The module (and its store) stays reachable until here.
	expect(module.FlowellaTrigger).toBeDefined();
	return result;
}

/** The captured request with a new delivery id (or none) and a fresh timestamp (or none). */
function replay(captured: Delivery, deliveryId: string | undefined): Delivery {
	const headers: Record<string, string> = { ...captured.headers, 'x-flowella-timestamp': String(Math.floor(Date.now() / 1000)) };
	if (deliveryId === undefined) {
		delete headers['x-flowella-delivery'];
		delete headers['x-flowella-timestamp'];
	} else headers['x-flowella-delivery'] = deliveryId;
	return { raw: captured.raw, headers };
}

const report = (label: string, figures: Storm) => process.stdout.write(`[replay storm] ${label}: ${JSON.stringify(figures)}\n`);

describe('a replay storm of 20,000 requests built from one captured signed request', () => {
	it('with 8 KB delivery ids starts nothing, holds no memory and writes no large mirror', async () => {
		const captured = signed('message.received', { deliveryId: 'dlv_captured' });
		const figures = await storm((index) => replay(captured, `${index.toString(36)}_${'x'.repeat(8 * 1024)}`), REPLAYS, captured);
		report('8 KB delivery ids', figures);
		expect(figures.started).toBe(0);
		expect(figures.storeHeapMiB).toBeLessThan(2);
		expect(figures.largestMirrorBytes).toBe(0);
	}, 300_000);

	it('with 256-character delivery ids, or none, starts nothing and holds no memory', async () => {
		const captured = signed('message.received', { deliveryId: 'dlv_captured' });
		const figures = await storm((index) => replay(captured, index % 2 === 0 ? `${index.toString(36)}_${'y'.repeat(240)}` : undefined), REPLAYS, captured);
		report('256-character or no delivery ids', figures);
		expect(figures.started).toBe(0);
		expect(figures.answers).toEqual({ 200: REPLAYS });
		expect(figures.storeHeapMiB).toBeLessThan(2);
	}, 300_000);

	it('a full store (20,000 distinct events with 256-character delivery ids) stays bounded, and so does its mirror', async () => {
		const figures = await storm((index) => signed('message.received', { deliveryId: `${index.toString(36)}_${'z'.repeat(240)}` }), REPLAYS);
		report('20,000 distinct events', figures);
		expect(figures.started).toBe(REPLAYS);
		expect(figures.storeHeapMiB).toBeLessThan(16);
		expect(figures.largestMirrorBytes).toBeLessThan(200 * 1024);
	}, 300_000);
});
