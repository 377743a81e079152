/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// 5,000 Send Text items through n8n's engine and the emulator with seeded random faults on 3% of
// requests, Retry On Fail on and the error output: no recipient gets a message twice, every item
// comes out once (its message, or an error item), and every fault that may have let a message
// through ends as "may have been sent", never as a retry. The text uses $now, so it reads
// differently on each of n8n's re-runs: duplicates are counted per recipient, not per text.
// Prints what happened per fault kind.
import { startEmulator } from '../../emulator/server';
import type { FlowellaEmulator } from '../../emulator/server';
import { runFlowellaWorkflow } from '../support/harness';
import { writeResults } from '../support/reliability';

const ITEMS = Number(process.env.SEND_SOAK_ITEMS ?? 5_000);
const KEY = 'flo_live_send_soak_1a2b3c4d5e6f';
const SEED = 1815;
const FAULT_PROBABILITY = 0.03;
// `after`: Flowella stored the message, then the answer was lost; the others failed before the handler.
const FAULT_KINDS = [
	{ kind: 'status', status: 429, code: 'RATE_LIMITED', retryAfter: '0' },
	{ kind: 'status', status: 500 },
	{ kind: 'status', status: 503, after: true },
	{ kind: 'html', status: 502 },
	{ kind: 'reset', after: true },
	{ kind: 'malformed', after: true },
	{ kind: 'json', body: { ok: true }, after: true },
];

let emulator: FlowellaEmulator;
beforeAll(async () => {
	emulator = await startEmulator({ apiKeys: [KEY], randomFaults: { probability: FAULT_PROBABILITY, kinds: FAULT_KINDS as never, seed: SEED } });
});
afterAll(() => emulator.close());

it(`${ITEMS} Send Text items under random faults: never twice, every item accounted for`, async () => {
	const rows = Array.from({ length: ITEMS }, (_, n) => ({ phone: `+346${String(n).padStart(8, '0')}`, text: `Order ${n} is on its way` }));
	const started = Date.now();
	const result = await runFlowellaWorkflow({
		rows,
		credentials: { apiKey: KEY, baseUrl: emulator.url },
		parameters: {
			resource: 'message',
			operation: 'sendText',
			to: '={{ $json.phone }}',
			text: '={{ $json.text }} (sent {{ $now.toFormat("HH:mm:ss.SSS") }})',
			options: {},
		},
		settings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 1, onError: 'continueErrorOutput' },
	});
	const ms = Date.now() - started;
	expect(result.error).toBeUndefined();

	// Every item exactly once over both outputs.
	const [sent, errors = []] = result.outputs;
	const seen = [...sent, ...errors].map((item) => (item.pairedItem as { item: number }).item).sort((a, b) => a - b);
	expect(seen).toEqual(rows.map((_, n) => n));

	// Never twice: from the emulator's handler log (its key is "<phone> <text>"), per recipient.
	const storedPerPhone = new Map<string, number>();
	for (const entry of emulator.handled) {
		const phone = entry.key.split(' ')[0];
		storedPerPhone.set(phone, (storedPerPhone.get(phone) ?? 0) + 1);
	}
	const duplicates = [...storedPerPhone.values()].filter((count) => count > 1).length;
	expect(duplicates).toBe(0);
	expect(emulator.duplicates()).toEqual([]);

	// Each success is the message Flowella stored for that row.
	const storedIds = new Set(emulator.handled.map((entry) => entry.id));
	for (const item of sent) expect(storedIds.has(item.json.id as string)).toBe(true);

	// What the faults did: count them from the emulator's request log.
	const requests = emulator.requestsTo('POST', '/api/v1/messages');
	const faultsByKind: Record<string, number> = {};
	for (const request of requests) {
		if (!request.fault) continue;
		const kind = request.status > 0 ? `${request.fault} ${request.status}` : request.fault;
		faultsByKind[kind] = (faultsByKind[kind] ?? 0) + 1;
	}
	const maybeSent = errors.filter((item) => /may have been sent/.test(String(item.json.error)));
	const rowOf = (item: (typeof errors)[number]) => rows[(item.pairedItem as { item: number }).item];
	const maybeSentButStored = maybeSent.filter((item) => storedPerPhone.has(rowOf(item).phone)).length;
	const otherErrors = errors.length - maybeSent.length;
	// Only a fault that may have let the message through ends an item as "may have been sent"; 429s are retried.
	const unknownOutcomeFaults = requests.filter((request) => request.fault && request.fault !== 'rateLimited' && !(request.status === 429)).length;
	expect(maybeSent.length).toBe(unknownOutcomeFaults);
	expect(otherErrors).toBe(0);

	const report = {
		items: ITEMS,
		seed: SEED,
		faultProbability: FAULT_PROBABILITY,
		requests: requests.length,
		faultsInjected: Object.values(faultsByKind).reduce((a, b) => a + b, 0),
		faultsByKind,
		sent: sent.length,
		maybeSent: maybeSent.length,
		maybeSentAndStoredByFlowella: maybeSentButStored,
		maybeSentNotStored: maybeSent.length - maybeSentButStored,
		duplicates,
		ms,
	};
	writeResults('send-text-soak.json', report);
	process.stdout.write(`Send Text soak: ${JSON.stringify(report)}\n`);
});
