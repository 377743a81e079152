import { emulatorForTests } from '../engine/emulator';
import { pacers } from '../../nodes/Flowella/shared/pacer';
import { rowParameters, runFlowellaWorkflow } from '../engine/harness';
const KEY = 'flo_test_client_once_01';
const emulator = emulatorForTests([KEY]);
it('x', async () => {
	emulator.configure({ latencyMs: 100 });
	const open = pacers.open.bind(pacers);
	pacers.open = (...args) => { process.stdout.write(`open ${pacers.size}\n`); return open(...args); };
	const r = await runFlowellaWorkflow({ rows: [{ phone: '+34611000001' }], credentials: { apiKey: KEY, baseUrl: emulator.url }, parameters: rowParameters });
	process.stdout.write(`done ${pacers.size} ${JSON.stringify(r.outputs[0]?.[0]?.json).slice(0, 200)} ${r.error?.message}\n`);
});
