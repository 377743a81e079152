import { FlowellaEmulator } from '../../emulator/server';

/** One emulator per test file, listening on a free loopback port, with a clean slate for every test. */
export function emulatorForTests(apiKeys: string[]): FlowellaEmulator {
	const emulator = new FlowellaEmulator({ apiKeys });
	beforeAll(() => emulator.listen());
	afterAll(() => emulator.close());
	beforeEach(() => {
		emulator.reset();
		emulator.configure({ apiKeys, latencyMs: 0, rateLimit: null, faults: [], randomFaults: null });
	});
	return emulator;
}
