/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// Flowella's error envelope is shown in the node's error: its `code`, like its `message`, may
// echo what was sent (the key included), so both are redacted before anything stores or logs them.
import { rowParameters, runFlowellaWorkflow } from '../support/harness';
import { emulatorForTests } from '../support/emulator';
import { LogCapture, placesHolding } from '../support/reliability';

const KEY = 'flo_live_codeleak_5f4e3d2c1b0a99887766';
const emulator = emulatorForTests([KEY]);
const logs = new LogCapture();

beforeAll(() => {
	logs.start();
});
afterAll(() => logs.stop());
beforeEach(() => logs.clear());

describe('an error code that carries the API key', () => {
	it.each([
		['400, error output', 400, { onError: 'continueErrorOutput' as const }],
		['400, stop', 400, {}],
		['503, Retry On Fail', 503, { retryOnFail: true, maxTries: 2, waitBetweenTries: 1, onError: 'continueRegularOutput' as const }],
	])('is redacted everywhere (%s)', async (_, status, settings) => {
		emulator.configure({
			faults: [{ kind: 'status', status, code: `KEY_${KEY}_REJECTED`, message: 'no', times: 20 }],
		});
		const result = await runFlowellaWorkflow({
			rows: [{ phone: '+34612345678' }],
			credentials: { apiKey: KEY, baseUrl: emulator.url },
			settings,
			parameters: { ...rowParameters, options: { timeout: 1000 } },
		});
		expect(placesHolding(KEY, result, logs)).toBe(0);
		const message = result.error?.message ?? String((result.outputs[1] ?? result.outputs[0])[0].json.error);
		expect(message).toBe(`Flowella answered ${status} KEY_[redacted]_REJECTED: no${status === 503 ? ' (Flowella server error)' : ''} [item 0]`);
	});
});
