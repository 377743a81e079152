// The per-execution client, through n8n's engine: the credential is read once, not per request.
import { emulatorForTests } from '../../../engine/emulator';
import { rowParameters, runFlowellaWorkflow } from '../../../engine/harness';

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
