// Parallel Requests and the adaptive pacer, through n8n's engine against the emulator.
import { emulatorForTests } from '../../support/emulator';
import { rowParameters, runFlowellaWorkflow } from '../../support/harness';

const KEY = 'flo_test_parallel_key';
const emulator = emulatorForTests([KEY]);

const phoneOf = (n: number) => `+3460${String(n).padStart(7, '0')}`;
const rowsOf = (count: number) => Array.from({ length: count }, (_, n) => ({ phone: phoneOf(n), name: `Row ${n}` }));
const contacts = () => emulator.requestsTo('POST', '/api/v1/contacts');

function run(count: number, concurrency: number | undefined, retryOnFail = false) {
	return runFlowellaWorkflow({
		rows: rowsOf(count),
		credentials: { apiKey: KEY, baseUrl: emulator.url },
		parameters: { ...rowParameters, options: concurrency === undefined ? {} : { concurrency } },
		settings: retryOnFail ? { retryOnFail: true, maxTries: 5, waitBetweenTries: 100 } : {},
	});
}

function expectEachUpsertedOnce(count: number) {
	const successes = new Map<string, number>();
	for (const request of contacts()) {
		if (request.status !== 200) continue;
		const phone = (request.body as { phone: string }).phone;
		successes.set(phone, (successes.get(phone) ?? 0) + 1);
	}
	expect(successes.size).toBe(count);
	expect([...successes.values()].every((times) => times === 1)).toBe(true);
}

describe('Max Requests Per Second', () => {
	it("spaces the node's own requests, whatever Parallel Requests allows (a share of the limit between workers)", async () => {
		const result = await runFlowellaWorkflow({
			rows: rowsOf(12),
			credentials: { apiKey: KEY, baseUrl: emulator.url },
			parameters: { ...rowParameters, options: { concurrency: 10, maxRequestsPerSecond: 20 } },
		});
		expect(result.error).toBeUndefined();
		expectEachUpsertedOnce(12);
		const arrivals = contacts().map((request) => request.at).sort((a, b) => a - b);
		// 12 starts at 20 per second span 550 ms; arrivals jitter by tens of ms on a busy machine.
		// Without the cap, Parallel Requests 10 sends them all within a few ms.
		expect(arrivals[11] - arrivals[0]).toBeGreaterThanOrEqual(400);
		expect(emulator.maxInFlight).toBeLessThanOrEqual(2);
	});
});

describe('Parallel Requests', () => {
	it('keeps input order and pairing whatever order the answers arrive in', async () => {
		emulator.configure({ latencyMs: { min: 0, max: 40 } });
		const result = await run(120, 10);
		const [items] = result.outputs;
		expect(items.map((item) => item.json.phone)).toEqual(rowsOf(120).map((row) => row.phone));
		expect(items.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		const answered = [...contacts()].sort((a, b) => (a.answeredAt ?? 0) - (b.answeredAt ?? 0));
		expect(answered.map((request) => (request.body as { phone: string }).phone)).not.toEqual(
			rowsOf(120).map((row) => row.phone),
		);
		expect(emulator.maxInFlight).toBeGreaterThan(1);
		expect(emulator.maxInFlight).toBeLessThanOrEqual(10);
	});

	it('defaults to 5 requests in flight', async () => {
		emulator.configure({ latencyMs: 20 });
		await run(40, undefined);
		expect(emulator.maxInFlight).toBe(5);
	});

	it('with 1, sends one request at a time in input order', async () => {
		emulator.configure({ latencyMs: { min: 0, max: 10 } });
		await run(30, 1);
		expect(emulator.maxInFlight).toBe(1);
		expect(contacts().map((request) => (request.body as { phone: string }).phone)).toEqual(rowsOf(30).map((row) => row.phone));
	});

	it('settles under a rate limit: every item upserted exactly once, few 429s', async () => {
		emulator.configure({ latencyMs: 2, rateLimit: { ratePerSec: 40, burst: 10, retryAfter: 'seconds' } });
		const result = await run(200, 10, true);
		expect(result.error).toBeUndefined();
		expect(result.outputs[0].every((item) => item.json.error === undefined)).toBe(true);
		expectEachUpsertedOnce(200);
		// Wall-clock pacing on a possibly loaded machine, so a loose bound that only a pacer that does
		// not pace would break; its precision (< 5% extra) is checked on virtual time in pacer.test.ts.
		const rateLimited = contacts().filter((request) => request.status === 429).length;
		expect(rateLimited).toBeLessThan(40);
	});

	it('waits out a Retry-After as one shared pause', async () => {
		emulator.configure({
			latencyMs: 5,
			faults: [{ kind: 'status', status: 429, code: 'RATE_LIMITED', message: 'Too many requests', retryAfter: '1', phone: phoneOf(3) }],
		});
		const result = await run(20, 5, true);
		expect(result.error).toBeUndefined();
		expectEachUpsertedOnce(20);
		const limited = contacts().find((request) => request.status === 429);
		// The 429 must have happened, or there is no pause to check.
		expect(limited).toMatchObject({ status: 429, body: { phone: phoneOf(3) }, answeredAt: expect.any(Number) });
		const answeredAt = limited?.answeredAt ?? Number.NaN;
		// Requests already in flight finish (a loaded machine may deliver them late, hence the
		// 250 ms margin); none starts until the 1 s pause is over.
		const startedDuringPause = contacts().filter((request) => request.at > answeredAt + 250 && request.at < answeredAt + 950);
		expect(startedDuringPause).toEqual([]);
		expect(contacts().filter((request) => request.at >= answeredAt + 950).length).toBeGreaterThan(5);
	});
});
