/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// Every fault Flowella or the network can throw at a sync × every way a user can set the node
// up (Retry On Fail on/off × On Error), run through n8n's engine against the emulator over
// real HTTP. The results go to .reliability/fault-matrix.json; scripts/reliability-report.js
// turns them into the table in docs/engineering/reliability.md.
import { startEmulator } from '../../emulator/server';
import type { Fault, FlowellaEmulator } from '../../emulator/server';
import { Flowella } from '../../nodes/Flowella/Flowella.node';
import { rowParameters, runFlowellaWorkflow } from '../support/harness';
import type { FlowellaRun, NodeSettings } from '../support/harness';
import { isCleanSuccess, LogCapture, placesHolding, requestsByPhone, tallySends, writeResults } from '../support/reliability';

const KEY = 'flo_live_matrix_5c4b3a29181706f0e1d2';
const PHONES = Array.from({ length: 6 }, (_, item) => `+3461200000${item}`);
const ROWS = PHONES.map((phone, item) => ({ phone, name: `Row ${item}` }));
// Item 0 fails first, which is what makes n8n's own Retry On Fail re-run the node with On Error = Continue.
const TARGETS = [0, 3];

interface FaultCase {
	id: string;
	label: string;
	faults: () => Fault[];
	/** Still failing after every retry (4xx, a burst longer than the budget, a revoked key). */
	permanent: boolean;
	/** Items that end as errors when the fault is permanent (default: TARGETS). */
	failing?: number[];
	/** The error message without its " [item n]" suffix. */
	message: RegExp;
	httpCode?: string;
	/** What the description must say for a fault that is never retried. */
	advice?: RegExp;
	options?: Record<string, unknown>;
	/** With Retry On Fail on, the run cannot be faster than this (Retry-After). */
	minRetryMs?: number;
}

const onTargets = (fault: Fault) => () => TARGETS.map((item) => ({ ...fault, phone: PHONES[item] }));
const rateLimited = (extra: Partial<Fault> = {}): Fault => ({
	kind: 'status',
	status: 429,
	code: 'RATE_LIMITED',
	message: 'Too many requests',
	...extra,
});
const RATE_LIMITED_MESSAGE = /^Flowella answered 429 RATE_LIMITED: Too many requests \(rate limited\)$/;
const serverError = (status: number): FaultCase => ({
	id: `status-${status}`,
	label: `${status} with Flowella's envelope`,
	faults: onTargets({ kind: 'status', status }),
	permanent: false,
	message: new RegExp(`^Flowella answered ${status} INTERNAL_ERROR: Internal server error \\(Flowella server error\\)$`),
	httpCode: String(status),
});
const refused = (status: number, code: string, advice: RegExp): FaultCase => ({
	id: `status-${status}`,
	label: `${status} ${code} with Flowella's envelope`,
	// A plan or permission problem does not go away within a run.
	faults: onTargets({ kind: 'status', status, code, message: 'Not allowed for this organisation', times: 1000 }),
	permanent: true,
	message: new RegExp(`^Flowella answered ${status} ${code}: Not allowed for this organisation$`),
	httpCode: String(status),
	advice,
});

const CASES: FaultCase[] = [
	{
		id: '429',
		label: '429 without Retry-After',
		faults: onTargets(rateLimited()),
		permanent: false,
		message: RATE_LIMITED_MESSAGE,
		httpCode: '429',
	},
	{
		id: '429-retry-after-2',
		label: '429 with `Retry-After: 2`',
		faults: onTargets(rateLimited({ retryAfter: '2' })),
		permanent: false,
		message: RATE_LIMITED_MESSAGE,
		httpCode: '429',
		minRetryMs: 2000,
	},
	{
		id: '429-retry-after-date',
		label: '429 with Retry-After as an HTTP date (2 s ahead)',
		// Computed when the case runs; HTTP dates have whole seconds, so the wait is 1–2 s.
		faults: () => onTargets(rateLimited({ retryAfter: new Date(Date.now() + 2000).toUTCString() }))(),
		permanent: false,
		message: RATE_LIMITED_MESSAGE,
		httpCode: '429',
		minRetryMs: 900,
	},
	{
		id: '429-burst',
		label: '429 burst longer than the retry budget',
		// On item 0 only: every 429 slows the pacer down, and a second target only makes the run slower.
		faults: () => [{ ...rateLimited({ times: 1000 }), phone: PHONES[0] }],
		failing: [0],
		permanent: true,
		message: RATE_LIMITED_MESSAGE,
		httpCode: '429',
	},
	serverError(500),
	serverError(502),
	serverError(503),
	serverError(504),
	{
		id: 'html-502',
		label: 'HTML error page with status 502',
		faults: onTargets({ kind: 'html', status: 502 }),
		permanent: false,
		message: /^Flowella answered 502 without an error code \(Flowella server error\)$/,
		httpCode: '502',
	},
	{
		id: 'reset',
		label: 'connection reset mid-response (contact saved, answer lost)',
		faults: onTargets({ kind: 'reset', after: true }),
		permanent: false,
		message: /^The connection to Flowella failed \((ECONNRESET|ERR_BAD_RESPONSE)\): (socket hang up|aborted|stream has been aborted)$/,
	},
	{
		id: 'hang',
		label: 'response never arrives (Timeout 1,000 ms)',
		faults: onTargets({ kind: 'hang', after: true }),
		permanent: false,
		message: /^The connection to Flowella failed \(ECONNABORTED\): timeout of 1000ms exceeded$/,
		options: { timeout: 1000 },
	},
	{
		id: 'malformed',
		label: 'malformed JSON in a 200',
		faults: onTargets({ kind: 'malformed', after: true }),
		permanent: false,
		message: /^Flowella answered 200 with an unexpected body: the body is not valid JSON$/,
		httpCode: '200',
	},
	{
		id: 'not-contact-row',
		label: 'a 200 whose body is not a ContactRow',
		faults: onTargets({ kind: 'notContactRow', after: true }),
		permanent: false,
		message: /^Flowella answered 200 with an unexpected body: "id" is not a string$/,
		httpCode: '200',
	},
	{
		id: '401-mid-run',
		label: '401 in the middle of a run (key revoked at item 3; Parallel Requests 1)',
		faults: () => [{ kind: 'revokeKey', phone: PHONES[3] }],
		permanent: true,
		failing: [3, 4, 5],
		message: /^Flowella answered 401 UNAUTHORIZED: Invalid API key$/,
		httpCode: '401',
		advice: /Check the API key in the Flowella credential/,
		// One request at a time, so "the middle of the run" is the same place in every mode.
		options: { concurrency: 1 },
	},
	refused(402, 'PAYMENT_REQUIRED', /subscription does not cover/),
	refused(403, 'FORBIDDEN', /does not allow this action/),
	refused(404, 'NOT_FOUND', /Check the Base URL/),
];

type OnError = NonNullable<NodeSettings['onError']>;
const MODES = [false, true].flatMap((retryOnFail) =>
	(['stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'] as OnError[]).map((onError) => ({ retryOnFail, onError })),
);
type Mode = (typeof MODES)[number];
const MAX_TRIES = 3;

export interface MatrixResult {
	fault: string;
	faultId: string;
	retryOnFail: boolean;
	onError: OnError;
	passed: boolean;
	/** How many times n8n ran the node (more than 1 only through n8n's own Retry On Fail). */
	nodeRuns: number;
	requests: number;
	succeeded: number[];
	failed: number[];
	/** Items never sent because the run stopped first (On Error = Stop Workflow). */
	notRun: number[];
	/** Requests per failed item (attempts by the node × runs by n8n). */
	attemptsOnFailed: Record<string, number>;
	/** Most clean 200s any item got: 1 means nothing that succeeded was sent again. */
	maxSuccessesPerItem: number;
	/** Requests for an item after its success (must be 0). */
	sentAfterSuccess: number;
	error?: { message: string; description: string; httpCode?: string };
	keyFoundIn: number;
	nodeLogLines: number;
	ms: number;
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
	writeResults('fault-matrix.json', {
		generatedAt: new Date().toISOString(),
		node: process.version,
		rows: PHONES.length,
		targets: TARGETS,
		maxTries: MAX_TRIES,
		results,
	});
});

/**
 * How many times n8n runs the node. Without Retry On Fail, once. With it, n8n runs the node
 * again, up to Max. Tries runs in all, whenever the node throws (On Error = Stop Workflow) or
 * returns an error as its first item (On Error = Continue, either output).
 */
function expectedNodeRuns(mode: Mode, failing: number[]): number {
	if (!mode.retryOnFail) return 1;
	const n8nSeesAFailure = mode.onError === 'stopWorkflow' ? failing.length > 0 : failing.includes(0);
	return n8nSeesAFailure ? MAX_TRIES : 1;
}

function settingsFor(mode: Mode): NodeSettings {
	return mode.retryOnFail
		? { retryOnFail: true, maxTries: MAX_TRIES, waitBetweenTries: 1, onError: mode.onError }
		: { onError: mode.onError };
}

interface ErrorLike {
	message?: string;
	description?: string;
	httpCode?: string;
	context?: { itemIndex?: number };
}

function checkError(testCase: FaultCase, mode: Mode, item: number, error: ErrorLike) {
	expect(error.message).toMatch(new RegExp(` \\[item ${item}\\]$`));
	expect(error.message?.replace(/ \[item \d+\]$/, '')).toMatch(testCase.message);
	if (testCase.httpCode) expect(error.httpCode).toBe(testCase.httpCode);
	const advice = testCase.advice ?? (mode.retryOnFail ? new RegExp(`Gave up after ${MAX_TRIES} attempts`) : /Turn on "Retry On Fail"/);
	expect(error.description).toMatch(advice);
}

async function runCase(testCase: FaultCase, mode: Mode): Promise<MatrixResult> {
	emulator.reset();
	emulator.configure({ latencyMs: 0, rateLimit: null, randomFaults: null, apiKeys: [KEY], faults: testCase.faults() });
	logs.clear();
	nodeRuns.mockClear();
	const started = Date.now();
	const result: FlowellaRun = await runFlowellaWorkflow({
		rows: ROWS,
		credentials: { apiKey: KEY, baseUrl: emulator.url },
		settings: settingsFor(mode),
		parameters: { ...rowParameters, options: testCase.options ?? {} },
	});
	const ms = Date.now() - started;
	const runs = nodeRuns.mock.calls.length;

	const requests = emulator.requestsTo('POST', '/api/v1/contacts');
	const byPhone = requestsByPhone(requests);
	const expectedFailing = testCase.permanent ? (testCase.failing ?? TARGETS) : mode.retryOnFail ? [] : TARGETS;
	expect(runs).toBe(expectedNodeRuns(mode, expectedFailing));
	const succeeded: number[] = [];
	const failed: number[] = [];

	const checkSuccess = (item: number, json: Record<string, unknown>) => {
		expect(json).not.toHaveProperty('error');
		expect(json.phone).toBe(PHONES[item]);
		expect(json).toEqual(emulator.contacts.get(PHONES[item]));
		succeeded.push(item);
	};
	const checkFailedItem = (item: number, json: Record<string, unknown>, merged: boolean) => {
		// What to do is in `message` (or `details.description` in earlier shapes of the error item).
		const details = json.details as { itemIndex?: number; description?: string; httpCode?: string } | undefined;
		if (details?.itemIndex !== undefined) expect(details.itemIndex).toBe(item);
		checkError(testCase, mode, item, {
			message: json.error as string,
			description: (json.message as string | undefined) ?? details?.description,
			httpCode: details ? details.httpCode : testCase.httpCode,
		});
		if (merged) expect(json).toMatchObject(ROWS[item]);
		else expect(Object.keys(json).every((key) => ['error', 'message', 'details'].includes(key))).toBe(true);
		failed.push(item);
	};

	let runError: MatrixResult['error'];
	if (mode.onError === 'stopWorkflow') {
		if (expectedFailing.length > 0) {
			const error = result.error as unknown as ErrorLike;
			expect(error).toBeDefined();
			const item = Math.min(...expectedFailing);
			expect(error.context?.itemIndex).toBe(item);
			checkError(testCase, mode, item, error);
			expect(result.outputs).toEqual([]);
			runError = { message: error.message ?? '', description: error.description ?? '', httpCode: error.httpCode };
			failed.push(item);
			// The run stopped: items answered before it did are in Flowella (none twice, checked below);
			// items in flight at that moment may have failed too (only the earliest error is thrown).
			for (const [index, phone] of PHONES.entries()) {
				const sent = byPhone.get(phone) ?? [];
				if (index === item || sent.length === 0) continue;
				if (sent.some(isCleanSuccess)) succeeded.push(index);
				else failed.push(index);
			}
			for (const index of failed) expect(expectedFailing).toContain(index);
		} else {
			expect(result.error).toBeUndefined();
			expect(result.outputs).toHaveLength(1);
			const [items] = result.outputs;
			expect(items.map((entry) => entry.pairedItem)).toEqual(PHONES.map((_, item) => ({ item })));
			items.forEach((entry, item) => checkSuccess(item, entry.json));
		}
	} else if (mode.onError === 'continueRegularOutput') {
		expect(result.error).toBeUndefined();
		const [items] = result.outputs;
		expect(items.map((entry) => entry.pairedItem)).toEqual(PHONES.map((_, item) => ({ item })));
		items.forEach((entry, item) =>
			expectedFailing.includes(item) ? checkFailedItem(item, entry.json, false) : checkSuccess(item, entry.json),
		);
	} else {
		expect(result.error).toBeUndefined();
		const [successItems, errorItems] = result.outputs;
		const pairs = (list: typeof successItems) => list.map((entry) => (entry.pairedItem as { item: number }).item);
		expect(pairs(successItems)).toEqual(PHONES.map((_, item) => item).filter((item) => !expectedFailing.includes(item)));
		expect(pairs(errorItems)).toEqual(expectedFailing);
		successItems.forEach((entry) => checkSuccess(pairs([entry])[0], entry.json));
		errorItems.forEach((entry) => checkFailedItem(pairs([entry])[0], entry.json, true));
	}

	// Nothing that succeeded was sent again, not even when n8n re-ran the node; nothing failed got a clean answer.
	let maxSuccessesPerItem = 0;
	let sentAfterSuccess = 0;
	for (const [item, phone] of PHONES.entries()) {
		const sent = byPhone.get(phone) ?? [];
		const { cleanSuccesses: successes, sentAfterSuccess: resent } = tallySends(sent);
		maxSuccessesPerItem = Math.max(maxSuccessesPerItem, successes);
		sentAfterSuccess += resent;
		if (succeeded.includes(item)) expect(successes).toBe(1);
		if (failed.includes(item)) expect(successes).toBe(0);
	}
	expect(maxSuccessesPerItem).toBeLessThanOrEqual(1);
	expect(sentAfterSuccess).toBe(0);
	expect(requests.every((request) => request.authorization === `Bearer ${KEY}`)).toBe(true);

	const notRun = PHONES.map((_, item) => item).filter((item) => !succeeded.includes(item) && !failed.includes(item));
	if (mode.onError !== 'stopWorkflow') expect(notRun).toEqual([]);
	// Items the stopped run never reached were never sent.
	for (const item of notRun) expect(byPhone.get(PHONES[item]) ?? []).toEqual([]);

	const keyFoundIn = placesHolding(KEY, result, logs);
	expect(keyFoundIn).toBe(0);
	// The node itself logs nothing; n8n's own lines (and its error report) are searched for the key above.
	const nodeLogLines = logs.unexpectedLines().filter((line) => !line.startsWith('Logger.error')).length;
	expect(logs.unexpectedLines().filter((line) => !line.startsWith('Logger.error'))).toEqual([]);

	if (testCase.minRetryMs && mode.retryOnFail) expect(ms).toBeGreaterThanOrEqual(testCase.minRetryMs);

	const attemptsOnFailed: Record<string, number> = {};
	for (const item of failed) attemptsOnFailed[item] = (byPhone.get(PHONES[item]) ?? []).length;
	return {
		fault: testCase.label,
		faultId: testCase.id,
		retryOnFail: mode.retryOnFail,
		onError: mode.onError,
		passed: true,
		nodeRuns: runs,
		requests: requests.length,
		succeeded: succeeded.sort((a, b) => a - b),
		failed: failed.sort((a, b) => a - b),
		notRun,
		attemptsOnFailed,
		maxSuccessesPerItem,
		sentAfterSuccess,
		error: runError,
		keyFoundIn,
		nodeLogLines,
		ms,
	};
}

describe.each(CASES)('fault: $label', (testCase) => {
	it.each(MODES)('Retry On Fail $retryOnFail, On Error $onError', async (mode) => {
		const entry: MatrixResult = {
			fault: testCase.label,
			faultId: testCase.id,
			...mode,
			passed: false,
		} as MatrixResult;
		results.push(entry);
		Object.assign(entry, await runCase(testCase, mode));
	});
});
