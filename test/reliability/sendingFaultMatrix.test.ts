/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// Never twice, under every fault: each fault Flowella or the network can throw × every way a user
// can set the node up (Retry On Fail on/off × On Error) × the three sending operations, through
// n8n's engine against the emulator over real HTTP. Counts come from the emulator's handler log
// (`handled`: every send that reached it and was stored), not from what the node says.
// Results go to .reliability/sending-fault-matrix.json (scripts/reliability-report.js).
import { startEmulator } from '../../emulator/server';
import type { Fault, FlowellaEmulator } from '../../emulator/server';
import { Flowella } from '../../nodes/Flowella/Flowella.node';
import { runFlowellaWorkflow } from '../support/harness';
import type { NodeSettings } from '../support/harness';
import { LogCapture, placesHolding, writeResults } from '../support/reliability';

const KEY = 'flo_live_sending_matrix_9a8b7c6d5e4f';
const PHONES = Array.from({ length: 6 }, (_, item) => `+3461200010${item}`);
const ROWS = PHONES.map((phone, item) => ({ phone, name: `Row ${item}`, text: `Hello ${item}` }));
// Item 0 fails first, which is what makes n8n's own Retry On Fail re-run the node with On Error = Continue.
const TARGETS = [0, 3];
const MAX_TRIES = 3;

/**
 * What a fault means for a request that is not safe to repeat: `notReceived` certainly did not
 * reach Flowella (it may go again), `maybe` may have been stored (never sent again), `refused`
 * was answered with a refusal (nothing stored; not retried).
 */
type Outcome = 'notReceived' | 'maybe' | 'refused';

interface FaultCase {
	id: string;
	fault: Omit<Fault, 'path' | 'phone'>;
	outcome: Outcome;
	options?: Record<string, unknown>;
}

const CASES: FaultCase[] = [
	{ id: '429', fault: { kind: 'status', status: 429, code: 'RATE_LIMITED', message: 'Too many requests', retryAfter: '0' }, outcome: 'notReceived' },
	{ id: '500-before-storing', fault: { kind: 'status', status: 500 }, outcome: 'maybe' },
	{ id: '500-after-storing', fault: { kind: 'status', status: 500, after: true }, outcome: 'maybe' },
	{ id: '503', fault: { kind: 'status', status: 503, after: true }, outcome: 'maybe' },
	{ id: 'html-502', fault: { kind: 'html', status: 502, after: true }, outcome: 'maybe' },
	{ id: 'reset', fault: { kind: 'reset', after: true }, outcome: 'maybe' },
	{ id: 'timeout', fault: { kind: 'hang', after: true }, outcome: 'maybe', options: { timeout: 1000 } },
	{ id: 'malformed-200', fault: { kind: 'malformed', after: true }, outcome: 'maybe' },
	{ id: 'wrong-shape-200', fault: { kind: 'json', body: { ok: true }, after: true }, outcome: 'maybe' },
	{ id: '400', fault: { kind: 'status', status: 400, code: 'VALIDATION_ERROR', message: 'Meta rejected the request', times: 1000 }, outcome: 'refused' },
	{ id: '402', fault: { kind: 'status', status: 402, code: 'PAYMENT_REQUIRED', message: 'Plan', times: 1000 }, outcome: 'refused' },
	{ id: '403', fault: { kind: 'status', status: 403, code: 'CONTACT_OPTED_OUT', message: 'Opted out', times: 1000 }, outcome: 'refused' },
	{ id: '404', fault: { kind: 'status', status: 404, code: 'NOT_FOUND', message: 'WhatsApp channel not found', times: 1000 }, outcome: 'refused' },
];

interface SendingOperation {
	name: string;
	path: string;
	/** Safe to repeat: retried like an upsert, so a "maybe" fault ends in success with Retry On Fail. */
	idempotent: boolean;
	/** One request for all items (a bulk job) instead of one per item. */
	batch: boolean;
	/** Each item's job-level fields differ ($now in Scheduled At): a job per item, faults aimed at items. */
	jobPerItem?: boolean;
	parameters: Record<string, unknown>;
	/** How many times the item's send was stored in Flowella. */
	storedFor(emulator: FlowellaEmulator, item: number): number;
}

const stored = (emulator: FlowellaEmulator, kind: string, key: string) =>
	emulator.handled.filter((entry: { kind: string; key: string }) => entry.kind === kind && entry.key === key).length;
/** Messages stored for an item's phone, whatever their text said (with $now it differs on every try). */
const messagesTo = (emulator: FlowellaEmulator, item: number) =>
	emulator.handled.filter((entry: { kind: string; key: string }) => entry.kind === 'message' && entry.key.startsWith(`${PHONES[item]} `)).length;
/** Jobs stored that hold an item's phone. */
const jobsFor = (emulator: FlowellaEmulator, item: number) =>
	emulator.jobs.filter((job: { recipients: Array<{ phone: string }> }) => job.recipients.some((recipient) => recipient.phone === PHONES[item])).length;
// Fields that n8n evaluates to something new on each try: a re-run must still not send an item again.
const NOW = "{{ $now.toMillis() }} {{ Math.random() }}";

const TEMPLATE_PARAMETERS = {
	resource: 'template',
	operation: 'send',
	templateId: 'tpl_welcome',
	whatsappChannelId: 'ch_emulator_default',
	phone: '={{ $json.phone }}',
	bodyParameters: { parameter: [{ value: '={{ $json.name }}' }] },
};

const OPERATIONS: SendingOperation[] = [
	{
		name: 'Message → Send Text',
		path: '/api/v1/messages',
		idempotent: false,
		batch: false,
		parameters: { resource: 'message', operation: 'sendText', to: '={{ $json.phone }}', text: '={{ $json.text }}' },
		storedFor: (emulator, item) => stored(emulator, 'message', `${PHONES[item]} ${ROWS[item].text}`),
	},
	{
		name: 'Template → Send to Many',
		path: '/api/v1/templates/send',
		idempotent: false,
		batch: true,
		parameters: TEMPLATE_PARAMETERS,
		// Every job stored holds every item.
		storedFor: (emulator) => emulator.handled.filter((entry: { kind: string }) => entry.kind === 'job').length,
	},
	{
		name: 'Contact → Opt Out',
		path: '/api/v1/opt-outs',
		idempotent: true,
		batch: false,
		parameters: { resource: 'contact', operation: 'optOut', whatsappChannelId: 'ch_emulator_default', phone: '={{ $json.phone }}' },
		// Setting it again is the same state: what matters is that it ends set, once per item.
		storedFor: (emulator, item) => (emulator.optOuts.has(`ch_emulator_default ${PHONES[item]}`) ? 1 : 0),
	},
	{
		name: 'Message → Send Text, text with $now',
		path: '/api/v1/messages',
		idempotent: false,
		batch: false,
		parameters: { resource: 'message', operation: 'sendText', to: '={{ $json.phone }}', text: `={{ $json.text }} ${NOW}` },
		storedFor: messagesTo,
	},
	{
		name: 'Template → Send to Many, Scheduled At with $now',
		path: '/api/v1/templates/send',
		idempotent: false,
		batch: true,
		jobPerItem: true,
		parameters: {
			...TEMPLATE_PARAMETERS,
			bodyParameters: { parameter: [{ value: `={{ $json.name }} ${NOW}` }] },
			// A second apart per item, so each item is a job of its own whatever the timing.
			options: { scheduledAt: "={{ $now.plus(1, 'hour').plus($itemIndex, 'seconds').toISO() }}" },
		},
		storedFor: jobsFor,
	},
];

type OnError = NonNullable<NodeSettings['onError']>;
const MODES = [false, true].flatMap((retryOnFail) =>
	(['stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'] as OnError[]).map((onError) => ({ retryOnFail, onError })),
);
type Mode = (typeof MODES)[number];

interface MatrixResult {
	operation: string;
	fault: string;
	retryOnFail: boolean;
	onError: OnError;
	passed: boolean;
	nodeRuns?: number;
	requests?: number;
	/** Most times any one item's send was stored in Flowella (must be at most 1). */
	maxStoredPerItem?: number;
	succeeded?: number[];
	failed?: number[];
	maybeSent?: number[];
	ms?: number;
}

let emulator: FlowellaEmulator;
const logs = new LogCapture();
const results: MatrixResult[] = [];
const nodeRuns = jest.spyOn(Flowella.prototype, 'execute');

beforeAll(async () => {
	emulator = await startEmulator({ apiKeys: [KEY] });
	logs.start();
});
afterAll(async () => {
	logs.stop();
	await emulator.close();
	writeResults('sending-fault-matrix.json', { generatedAt: new Date().toISOString(), rows: PHONES.length, targets: TARGETS, maxTries: MAX_TRIES, results });
});

function pairedIndexes(pairedItem: unknown): number[] {
	const list = Array.isArray(pairedItem) ? pairedItem : [pairedItem];
	return list.map((entry) => (entry as { item: number }).item);
}

/** Which items the fault hits: one request per item, or the one job that holds them all. */
function targetsOf(operation: SendingOperation): number[] {
	return operation.batch && !operation.jobPerItem ? PHONES.map((_, item) => item) : TARGETS;
}

/** Whether the fault, on this operation and mode, leaves its targets failed after every retry. */
function targetsFail(testCase: FaultCase, operation: SendingOperation, mode: Mode): boolean {
	if (testCase.outcome === 'refused') return true;
	if (!mode.retryOnFail) return true;
	// With retries: only what certainly did not arrive goes again, unless repeating is safe.
	return testCase.outcome === 'maybe' && !operation.idempotent;
}

function expectedErrorText(testCase: FaultCase, operation: SendingOperation): RegExp {
	if (testCase.outcome === 'maybe' && !operation.idempotent) return / may have been sent, so it was not retried; check in Flowella before sending it again \[items? \d+(–\d+)?\]$/;
	if (testCase.outcome === 'refused') return new RegExp(`^Flowella answered ${String(testCase.fault.status)} `);
	if (testCase.outcome === 'notReceived') return /^Flowella answered 429 /;
	return /\[item \d+\]$/;
}

async function runCase(operation: SendingOperation, testCase: FaultCase, mode: Mode): Promise<MatrixResult> {
	emulator.reset();
	const faults =
		operation.batch && !operation.jobPerItem
		? [{ ...testCase.fault, path: operation.path }]
		: TARGETS.map((item) => ({ ...testCase.fault, path: operation.path, phone: PHONES[item] }));
	emulator.configure({ latencyMs: 0, rateLimit: null, randomFaults: null, apiKeys: [KEY], faults: faults as Fault[] });
	logs.clear();
	nodeRuns.mockClear();
	const started = Date.now();
	const result = await runFlowellaWorkflow({
		rows: ROWS,
		credentials: { apiKey: KEY, baseUrl: emulator.url },
		settings: mode.retryOnFail ? { retryOnFail: true, maxTries: MAX_TRIES, waitBetweenTries: 1, onError: mode.onError } : { onError: mode.onError },
		parameters: {
			...operation.parameters,
			options: { ...(operation.parameters.options as object | undefined), ...testCase.options },
		},
	});
	const ms = Date.now() - started;
	const failing = targetsFail(testCase, operation, mode) ? targetsOf(operation) : [];
	const errorText = expectedErrorText(testCase, operation);

	// Never twice: no item's message, job or opt-out stored more than once, whatever n8n re-ran.
	const storedCounts = PHONES.map((_, item) => operation.storedFor(emulator, item));
	const maxStoredPerItem = Math.max(...storedCounts);
	expect(maxStoredPerItem).toBeLessThanOrEqual(1);
	expect(emulator.duplicates()).toEqual([]);

	const succeeded: number[] = [];
	const failed: number[] = [];
	const maybeSent: number[] = [];
	const noteError = (items: number[], message: string) => {
		expect(message).toMatch(errorText);
		failed.push(...items);
		if (/may have been sent/.test(message)) maybeSent.push(...items);
	};
	if (mode.onError === 'stopWorkflow') {
		if (failing.length > 0) {
			expect(result.error?.message).toMatch(errorText);
			expect(result.outputs).toEqual([]);
		} else {
			expect(result.error).toBeUndefined();
		}
	} else {
		// Every input item accounted for exactly once, over both outputs, in input order per output.
		expect(result.error).toBeUndefined();
		const all = result.outputs.flat();
		const seen = all.flatMap((entry) => pairedIndexes(entry.pairedItem)).sort((a, b) => a - b);
		expect(seen).toEqual(PHONES.map((_, item) => item));
		for (const entry of all) {
			const items = pairedIndexes(entry.pairedItem);
			if (typeof entry.json.error === 'string') noteError(items, entry.json.error);
			else succeeded.push(...items);
		}
		expect([...failed].sort((a, b) => a - b)).toEqual(failing);
		if (mode.onError === 'continueErrorOutput') {
			expect((result.outputs[1] ?? []).every((entry) => typeof entry.json.error === 'string')).toBe(true);
		}
	}
	// Whatever ended as a success was stored exactly once; a refusal stored nothing.
	for (const item of succeeded) expect(storedCounts[item]).toBe(1);
	if (testCase.outcome === 'refused') for (const item of failing) expect(storedCounts[item]).toBe(0);
	// A fault that certainly did not arrive, with Retry On Fail: every item sent, once.
	if (testCase.outcome === 'notReceived' && mode.retryOnFail) expect(storedCounts).toEqual(PHONES.map(() => 1));

	expect(placesHolding(KEY, result, logs)).toBe(0);
	return {
		operation: operation.name,
		fault: testCase.id,
		...mode,
		passed: true,
		nodeRuns: nodeRuns.mock.calls.length,
		requests: emulator.requestsTo('POST', operation.path).length,
		maxStoredPerItem,
		succeeded,
		failed: [...new Set(failed)],
		maybeSent: [...new Set(maybeSent)],
		ms,
	};
}

describe.each(OPERATIONS)('$name', (operation) => {
	describe.each(CASES)('fault: $id', (testCase) => {
		it.each(MODES)('Retry On Fail $retryOnFail, On Error $onError', async (mode) => {
			const entry: MatrixResult = { operation: operation.name, fault: testCase.id, ...mode, passed: false };
			results.push(entry);
			Object.assign(entry, await runCase(operation, testCase, mode));
		});
	});
});
