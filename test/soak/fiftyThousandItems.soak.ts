/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// 50,000 items through n8n's engine and the emulator with random faults on 2% of requests and
// Retry On Fail on: every item comes out once (a ContactRow, or an error item), nothing that
// succeeded is sent twice, the heap stays bounded, no rejection goes unhandled. The emulator runs
// in a child process so its request log does not count in this process's heap.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

import { rowParameters, runFlowellaWorkflow } from '../support/harness';
import type { FlowellaRun } from '../support/harness';
import { requestsByPhone, tallySends, writeResults } from '../support/reliability';
import type { ContactRequest } from '../support/reliability';

const ITEMS = Number(process.env.SOAK_ITEMS ?? 50_000);
const KEY = 'flo_live_soak_0f1e2d3c4b5a69788796';
const SEED = 2025;
const FAULT_PROBABILITY = 0.02;
// No 429 here: a rate limit that answers at random is not one, and the pacer rightly slows down
// on every 429; rate limiting has its own tests (fault matrix, Parallel Requests).
const FAULT_KINDS = [
	{ kind: 'status', status: 500 },
	{ kind: 'status', status: 503 },
	{ kind: 'html', status: 502 },
	{ kind: 'reset', after: true },
	{ kind: 'malformed', after: true },
	{ kind: 'notContactRow', after: true },
	{ kind: 'slow', delayMs: 30 },
];
const CONCURRENCY = 5;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapUsed = () => {
	gc();
	return process.memoryUsage().heapUsed;
};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

let child: ChildProcess;
let baseUrl: string;

beforeAll(async () => {
	const script = `
		const { startEmulator } = require('./emulator/server');
		startEmulator(${JSON.stringify({
			apiKeys: [KEY],
			randomFaults: { probability: FAULT_PROBABILITY, kinds: FAULT_KINDS, seed: SEED },
		})}).then((emulator) => process.stdout.write(emulator.url + '\\n'));
		process.on('SIGTERM', () => process.exit(0));`;
	child = spawn(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
	baseUrl = await new Promise<string>((resolve, reject) => {
		child.once('error', reject);
		child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
	});
});
afterAll(async () => {
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGTERM');
	await exited;
});

const phoneOf = (n: number) => `+346${String(n).padStart(8, '0')}`;

it(`${ITEMS.toLocaleString('en')} items with ${FAULT_PROBABILITY * 100}% random faults: all accounted for, heap bounded`, async () => {
	const unhandled: unknown[] = [];
	const onUnhandled = (reason: unknown) => unhandled.push(reason);
	process.on('unhandledRejection', onUnhandled);

	const rows = Array.from({ length: ITEMS }, (_, n) => ({ phone: phoneOf(n), name: `Soak ${n}` }));
	const before = heapUsed();
	let peak = before;
	const sampler = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().heapUsed);
	}, 50);
	const started = Date.now();
	let result: FlowellaRun | undefined;
	try {
		result = await runFlowellaWorkflow({
			rows,
			credentials: { apiKey: KEY, baseUrl },
			settings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 1, onError: 'continueErrorOutput' },
			parameters: { ...rowParameters, additionalFields: { name: '={{ $json.name }}' }, options: { concurrency: CONCURRENCY } },
		});
	} finally {
		clearInterval(sampler);
	}
	const wallMs = Date.now() - started;
	const afterHeld = heapUsed();
	peak = Math.max(peak, afterHeld);

	expect(result.error).toBeUndefined();
	const [successItems, errorItems = []] = result.outputs;
	const successes = successItems.map((item) => (item.pairedItem as { item: number }).item);
	const errors = errorItems.map((item) => (item.pairedItem as { item: number }).item);
	// Every item exactly once, each output in input order.
	expect(successes.length + errors.length).toBe(ITEMS);
	expect(new Set([...successes, ...errors]).size).toBe(ITEMS);
	expect(successes).toEqual([...successes].sort((a, b) => a - b));
	expect(errors).toEqual([...errors].sort((a, b) => a - b));
	successItems.forEach((item) => expect(item.json.phone).toBe(phoneOf((item.pairedItem as { item: number }).item)));
	for (const item of errorItems) expect(item.json.error).toMatch(/\[item \d+\]$/);
	const successPhones = new Set(successItems.map((item) => item.json.phone as string));
	const errorPhones = new Set(errors.map(phoneOf));
	result = undefined;
	successItems.length = 0;
	errorItems.length = 0;
	const afterReleased = heapUsed();

	// From the emulator's log: a succeeded item got one successful answer and was never sent again.
	const log = (await (await fetch(`${baseUrl}/__emulator/requests`)).json()) as ContactRequest[];
	const requests = log.filter((request) => request.method === 'POST' && request.path === '/api/v1/contacts');
	let duplicateSuccesses = 0;
	let sentAfterSuccess = 0;
	const byPhone = requestsByPhone(requests);
	for (const [phone, sent] of byPhone) {
		const { cleanSuccesses: clean, sentAfterSuccess: resent } = tallySends(sent);
		if (clean > 1) duplicateSuccesses += 1;
		sentAfterSuccess += resent;
		if (successPhones.has(phone)) expect(clean).toBe(1);
		if (errorPhones.has(phone)) expect(clean).toBe(0);
	}
	expect(duplicateSuccesses).toBe(0);
	expect(sentAfterSuccess).toBe(0);
	expect(byPhone.size).toBe(ITEMS);
	const faultsInjected = requests.filter((request) => request.fault !== undefined).length;
	expect(faultsInjected).toBeGreaterThan(ITEMS * FAULT_PROBABILITY * 0.7);

	await new Promise((resolve) => setTimeout(resolve, 100));
	process.off('unhandledRejection', onUnhandled);
	expect(unhandled).toEqual([]);

	const report = {
		generatedAt: new Date().toISOString(),
		node: process.version,
		cpus: os.cpus().length,
		items: ITEMS,
		seed: SEED,
		faultProbability: FAULT_PROBABILITY,
		faultKinds: FAULT_KINDS.map((fault) => ('status' in fault ? `${fault.kind} ${fault.status}` : fault.kind)),
		concurrency: CONCURRENCY,
		// Jest's open-handle detection hooks every async resource, which makes the run about 3× slower.
		detectOpenHandles: process.argv.includes('--detectOpenHandles'),
		wallMs,
		succeeded: successPhones.size,
		errors: errorPhones.size,
		requests: requests.length,
		faultsInjected,
		duplicateSuccesses,
		heap: { before, peak, afterHeld, afterReleased },
		unhandledRejections: unhandled.length,
	};
	process.stdout.write(
		`soak: ${ITEMS} items in ${(wallMs / 1000).toFixed(1)} s; ${report.succeeded} ok, ${report.errors} error items; ` +
			`${requests.length} requests, ${faultsInjected} faults; heap before ${mb(before)}, peak ${mb(peak)}, ` +
			`after (output held) ${mb(afterHeld)}, after (released) ${mb(afterReleased)}\n`,
	);
	if (ITEMS === 50_000) writeResults('soak.json', report);
	// Bounded: the 50,000 output items and n8n's copy of the run are the only things that grow.
	expect(afterReleased - before).toBeLessThan(64 * 1024 * 1024);
});
