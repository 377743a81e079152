/* eslint-disable @n8n/community-nodes/no-restricted-globals -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// What the node remembers between n8n's re-runs of it (Retry On Fail), through n8n's engine
// against the emulator: only within one run of the node, for exactly as long as n8n can still
// re-run it.
import type { IExecuteFunctions } from 'n8n-workflow';

import { Flowella } from '../../../../nodes/Flowella/Flowella.node';
import { rerunMemos } from '../../../../nodes/processState';

const rememberedRunCount = () => rerunMemos.size;
import { emulatorForTests } from '../../../support/emulator';
import { rowParameters, runFlowellaWorkflow } from '../../../support/harness';
import type { NodeSettings } from '../../../support/harness';

const KEY = 'flo_test_rerun_memo_key';
const emulator = emulatorForTests([KEY]);

const contacts = () => emulator.requestsTo('POST', '/api/v1/contacts');
const phonesSent = () => contacts().map((request) => (request.body as { phone: string }).phone);
const timesSent = (phone: string) => phonesSent().filter((sent) => sent === phone).length;
const retry: NodeSettings = { retryOnFail: true, maxTries: 3, waitBetweenTries: 1 };
// A row the node refuses before sending (Name over 200 characters): n8n then re-runs the node.
const badRow = (phone: string) => ({ phone, name: 'x'.repeat(201) });
const realExecute = Flowella.prototype.execute;
const nodeRuns = jest.spyOn(Flowella.prototype, 'execute');

function run(rows: object[], settings: NodeSettings, extra: { passes?: number; cancelSignal?: AbortSignal } = {}) {
	return runFlowellaWorkflow({
		rows: rows as never,
		credentials: { apiKey: KEY, baseUrl: emulator.url },
		settings,
		// One request at a time: the good rows before a bad one are sent before it fails the node
		// (after that the node sends nothing new), whatever the timing.
		parameters: { ...rowParameters, options: { concurrency: 1 } },
		...extra,
	});
}

beforeEach(() => nodeRuns.mockClear());

/** Waits until the emulator has answered every request it got (Stop leaves some it still works on). */
async function emulatorSettled() {
	for (let waited = 0; waited < 5000 && emulator.requests.some((request) => request.status === 0); waited += 10) {
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

describe("n8n's re-runs of the node (Retry On Fail)", () => {
	afterEach(() => jest.useRealTimers());

	it('a re-run after a long run sends only the items that did not reach Flowella', async () => {
		// Only Date is simulated: 45 minutes pass while the first run is sending (50,000 rows at 20/s is 42).
		jest.useFakeTimers({
			advanceTimers: true,
			doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
		});
		const onRequest = () => jest.setSystemTime(Date.now() + 45 * 60_000);
		emulator.server.on('request', onRequest);
		try {
			const result = await run([{ phone: '+34612000001' }, { phone: '+34612000002' }, badRow('+34612000003')], retry);
			expect(result.error?.message).toContain('Invalid Name');
		} finally {
			emulator.server.off('request', onRequest);
		}
		expect(nodeRuns).toHaveBeenCalledTimes(3);
		expect(phonesSent().sort()).toEqual(['+34612000001', '+34612000002']);
	});

	it('keeps every execution that is still running apart, however many run at once', async () => {
		emulator.configure({ latencyMs: 300 });
		const executions = Array.from({ length: 12 }, (_, execution) => [
			{ phone: `+3461210${String(execution).padStart(2, '0')}01` },
			{ phone: `+3461210${String(execution).padStart(2, '0')}02` },
			badRow(`+3461210${String(execution).padStart(2, '0')}03`),
		]);
		const results = await Promise.all(executions.map((rows) => run(rows, retry)));
		for (const result of results) expect(result.error?.message).toContain('Invalid Name');
		expect(nodeRuns).toHaveBeenCalledTimes(12 * 3);
		for (const rows of executions) {
			expect(timesSent(rows[0].phone)).toBe(1);
			expect(timesSent(rows[1].phone)).toBe(1);
		}
		expect(rememberedRunCount()).toBe(0);
	});

	it('a later run of the same node in the same execution (a loop) sends its items again', async () => {
		const rows = [{ phone: '+34612000011', email: 'not-an-email' }, { phone: '+34612000012' }, { phone: '+34612000013' }];
		const result = await run(rows, { ...retry, onError: 'continueRegularOutput' }, { passes: 2 });
		expect(result.error).toBeUndefined();
		// Each run: 3 tries by n8n (its first item is an error), the good items sent once.
		expect(nodeRuns).toHaveBeenCalledTimes(2 * 3);
		expect(result.runs).toHaveLength(2);
		expect(timesSent('+34612000012')).toBe(2);
		expect(timesSent('+34612000013')).toBe(2);
		const [, second] = result.runs;
		expect(second[0].slice(1)).toEqual([
			{ json: emulator.contacts.get('+34612000012'), pairedItem: { item: 1 } },
			{ json: emulator.contacts.get('+34612000013'), pairedItem: { item: 2 } },
		]);
		expect(second[0][1].json.updatedAt).not.toBe(result.runs[0][0][1].json.updatedAt);
	});
});

describe('memory', () => {
	it.each([
		['Max. Tries 1 (n8n makes it 2)', 1, 2],
		['Max. Tries unset (n8n makes it 3)', undefined, 3],
		['Max. Tries 9 (n8n makes it 5)', 9, 5],
	])('is freed after the last of n8n\'s tries: %s', async (_, maxTries, tries) => {
		const result = await run([{ phone: '+34612000021' }, badRow('+34612000022')], { retryOnFail: true, maxTries, waitBetweenTries: 1 });
		expect(result.error?.message).toContain('Invalid Name');
		expect(nodeRuns).toHaveBeenCalledTimes(tries);
		expect(timesSent('+34612000021')).toBe(1);
		expect(rememberedRunCount()).toBe(0);
	});

	it('is freed after the last try when the first item is still an error (On Error = Continue)', async () => {
		const result = await run([badRow('+34612000031'), { phone: '+34612000032' }], { ...retry, onError: 'continueRegularOutput' });
		expect(result.outputs[0][0].json.error).toContain('Invalid Name');
		expect(nodeRuns).toHaveBeenCalledTimes(3);
		expect(rememberedRunCount()).toBe(0);
	});

	it('is freed when the node succeeds', async () => {
		await run([{ phone: '+34612000041' }], retry);
		expect(nodeRuns).toHaveBeenCalledTimes(1);
		expect(rememberedRunCount()).toBe(0);
	});

	it('is freed when the execution is stopped, though n8n would otherwise re-run the node', async () => {
		emulator.configure({ latencyMs: 30 });
		const stop = new AbortController();
		const onRequest = () => {
			if (emulator.requests.length >= 3) stop.abort();
		};
		let afterFirstTry: number | undefined;
		nodeRuns.mockImplementationOnce(async function (this: IExecuteFunctions) {
			try {
				return await realExecute.call(this);
			} finally {
				afterFirstTry = rememberedRunCount();
			}
		});
		emulator.server.on('request', onRequest);
		try {
			// The first item is an error, which on its own makes n8n run the node again.
			const rows = [badRow('+34612000100'), ...Array.from({ length: 30 }, (_, n) => ({ phone: `+346120001${String(n + 1).padStart(2, '0')}` }))];
			await run(rows, { ...retry, onError: 'continueRegularOutput' }, { cancelSignal: stop.signal });
		} finally {
			emulator.server.off('request', onRequest);
			await emulatorSettled();
		}
		expect(stop.signal.aborted).toBe(true);
		expect(afterFirstTry).toBe(0);
		expect(rememberedRunCount()).toBe(0);
	});
});
