import { emulatorForTests } from '../engine/emulator';
import { rowParameters, runFlowellaWorkflow } from '../engine/harness';

const KEY = 'flo_test_scratch_real_01';
const emulator = emulatorForTests([KEY]);
const CASES = (process.env.REAL ?? '5:1:150:300,20:1:10:300').split(',').map((c) => c.split(':').map(Number));

it('measures the node in real n8n against the emulator', async () => {
	for (const [rate, burst, latency, items] of CASES) {
		emulator.reset();
		emulator.configure({ apiKeys: [KEY], latencyMs: latency, rateLimit: { ratePerSec: rate, burst, retryAfter: 'seconds' } });
		const rows = Array.from({ length: items }, (_, n) => ({ phone: `+3460${String(n).padStart(7, '0')}` }));
		const result = await runFlowellaWorkflow({ rows, credentials: { apiKey: KEY, baseUrl: emulator.url }, parameters: rowParameters, settings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 1000 } });
		const sent = emulator.requestsTo('POST', '/api/v1/contacts');
		const ok = sent.filter((r) => r.status === 200);
		const first = Math.min(...sent.map((r) => r.at));
		const last = Math.max(...ok.map((r) => r.answeredAt ?? r.at));
		const ideal = ((items - burst) / rate) * 1000;
		process.stdout.write(`REAL ${rate}/s burst ${burst} ${latency} ms ${items}: fraction ${(ideal / (last - first)).toFixed(3)} extra ${(((sent.length - items) / items) * 100).toFixed(1)}% error ${result.error?.message ?? 'none'}\n`);
	}
}, 900_000);
