/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// The per-execution client, through n8n's engine: the credential is read once, not per request.
import { emulatorForTests } from '../../../support/emulator';
import { pacers } from '../../../../nodes/processState';
import { rowParameters, runFlowellaWorkflow } from '../../../support/harness';

const KEY = 'flo_test_client_once_01';
const emulator = emulatorForTests([KEY]);

describe('createClient', () => {
	it('decrypts the credential once per execution, whatever the number of requests, and still authenticates each', async () => {
		const rows = Array.from({ length: 60 }, (_, n) => ({ phone: `+3460${String(n).padStart(7, '0')}` }));
		const result = await runFlowellaWorkflow({ rows, credentials: { apiKey: KEY, baseUrl: emulator.url }, parameters: rowParameters });
		expect(result.error).toBeUndefined();
		const sent = emulator.requestsTo('POST', '/api/v1/contacts');
		expect(sent).toHaveLength(60);
		expect(sent.every((request) => request.authorization === `Bearer ${KEY}`)).toBe(true);
		expect(result.credentialReads).toBe(1);
	});
});

describe('the pacer of a client', () => {
	it('is one for the executions running at once on one credential, and is freed when they end, also when the node throws', async () => {
		emulator.configure({ latencyMs: 100 });
		const credentials = { apiKey: KEY, baseUrl: emulator.url };
		const rows = (prefix: string) => Array.from({ length: 10 }, (_, n) => ({ phone: `+3461${prefix}${String(n).padStart(6, '0')}` }));
		const running = [
			runFlowellaWorkflow({ rows: rows('1'), credentials, parameters: rowParameters }),
			runFlowellaWorkflow({ rows: [...rows('2'), { phone: 'not a phone' }], credentials, parameters: rowParameters }),
		];
		// Watched while they run: never two pacers for the one account, and one while either sends.
		const sizes = new Set<number>();
		const watch = setInterval(() => sizes.add(pacers.size), 5);
		const [succeeded, failed] = await Promise.all(running).finally(() => clearInterval(watch));
		expect(Math.max(...sizes)).toBe(1);
		expect(succeeded.error).toBeUndefined();
		expect(failed.error).toBeDefined();
		expect(pacers.size).toBe(0);
	});
});
