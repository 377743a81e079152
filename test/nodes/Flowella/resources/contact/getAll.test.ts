/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// Contact → Get Many through n8n's engine against the emulator's real cursor pages.
import { emulatorForTests } from '../../../../support/emulator';
import type { NodeSettings } from '../../../../support/harness';
import { runFlowellaWorkflow } from '../../../../support/harness';

const KEY = 'flo_test_contact_get_many_01';
const emulator = emulatorForTests([KEY]);
const CONTACTS = '/api/v1/contacts';

const pages = () => emulator.requestsTo('GET', CONTACTS);
const retry: NodeSettings = { retryOnFail: true, maxTries: 3, waitBetweenTries: 1 };

function getMany(parameters: object, { rows = [{}], settings = {} as NodeSettings } = {}) {
	return runFlowellaWorkflow({
		rows,
		credentials: { apiKey: KEY, baseUrl: emulator.url },
		parameters: { resource: 'contact', operation: 'getAll', ...parameters },
		settings,
	});
}

const ids = (items: Array<{ json: { id?: unknown } }>) => items.map((item) => item.json.id);
const storedIds = () => [...emulator.contacts.values()].map((row) => row.id);

describe('Contact → Get Many', () => {
	it.each([
		[0, 1],
		[100, 1],
		[101, 2],
	])('Return All over %i contacts: every contact once, in order, in %i requests', async (count, requests) => {
		emulator.seed({ contacts: count });
		const result = await getMany({ returnAll: true });
		expect(result.error).toBeUndefined();
		const [items] = result.outputs;
		expect(ids(items)).toEqual(storedIds());
		expect(pages()).toHaveLength(requests);
		expect(pages().every((request) => request.query.limit === '100')).toBe(true);
	});

	it('Return All over 10,000 contacts: exactly 100 requests, each contact once, paired with the input item', async () => {
		emulator.seed({ contacts: 10_000 });
		const result = await getMany({ returnAll: true });
		const [items] = result.outputs;
		expect(items).toHaveLength(10_000);
		expect(new Set(ids(items)).size).toBe(10_000);
		expect(items[9_999].json).toEqual([...emulator.contacts.values()][9_999]);
		expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(pages()).toHaveLength(100);
	});

	it.each([
		[30, [30]],
		[100, [100]],
		[150, [100, 50]],
	])('Limit %i asks for no more than it needs: pages of %j', async (limit, limits) => {
		emulator.seed({ contacts: 400 });
		const result = await getMany({ returnAll: false, limit });
		expect(ids(result.outputs[0])).toEqual(storedIds().slice(0, limit));
		expect(pages().map((request) => Number(request.query.limit))).toEqual(limits);
	});

	it('Limit above what Flowella has returns what there is', async () => {
		emulator.seed({ contacts: 20 });
		const result = await getMany({ returnAll: false, limit: 50 });
		expect(result.outputs[0]).toHaveLength(20);
		expect(pages()).toHaveLength(1);
	});

	it('the default is Limit 50', async () => {
		emulator.seed({ contacts: 80 });
		const result = await getMany({});
		expect(result.outputs[0]).toHaveLength(50);
	});

	it('runs once per input item, each output paired with its item', async () => {
		emulator.seed({ contacts: 5 });
		const result = await getMany({ returnAll: false, limit: 2 }, { rows: [{}, {}, {}] });
		expect(result.outputs[0].map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 0 },
			{ item: 1 },
			{ item: 1 },
			{ item: 2 },
			{ item: 2 },
		]);
	});

	it('a 429 and a reset in the middle of the run: no page lost, no page twice', async () => {
		emulator.seed({ contacts: 450 });
		const page3 = Buffer.from('200').toString('base64url');
		emulator.configure({
			faults: [
				{ kind: 'status', status: 429, code: 'RATE_LIMITED', message: 'Too many requests', retryAfter: '0', path: CONTACTS, method: 'GET', times: 1 },
			],
		});
		// The 429 hits the first page; the reset hits the third, after its cursor was handed out.
		const original = emulator.nextFault.bind(emulator);
		let resetDone = false;
		emulator.nextFault = (path: string, body: unknown, method: string) => {
			const request = emulator.requests[emulator.requests.length - 1];
			if (!resetDone && request?.query.cursor === page3) {
				resetDone = true;
				return { kind: 'reset' };
			}
			return original(path, body, method);
		};
		try {
			const result = await getMany({ returnAll: true }, { settings: retry });
			expect(result.error).toBeUndefined();
			expect(ids(result.outputs[0])).toEqual(storedIds());
			expect(pages().map((request) => request.status)).toEqual([429, 200, 200, -1, 200, 200, 200]);
		} finally {
			emulator.nextFault = original;
		}
	});

	it('a cursor that comes back again is an error for the item, not an endless loop', async () => {
		emulator.seed({ contacts: 3 });
		const looping = { kind: 'json' as const, body: { items: [{ id: 'x' }], nextCursor: 'same' }, path: CONTACTS, method: 'GET', times: 5 };
		emulator.configure({ faults: [looping] });
		const result = await getMany({ returnAll: true }, { settings: { onError: 'continueRegularOutput' } });
		const [items] = result.outputs;
		expect(items).toHaveLength(1);
		expect(items[0].json.error).toMatch(/cursor it had already sent \("same"\).*\[item 0\]/);
		expect(pages()).toHaveLength(2);
	});

	// The first page as Flowella serves it (a fault that passes the answer through), then empty pages with cursors.
	const afterFirstPage = { kind: 'slow' as const, delayMs: 0, path: CONTACTS, method: 'GET' };
	const emptyPages = (times: number) => ({ kind: 'emptyPage' as const, path: CONTACTS, method: 'GET', times });

	it('an empty page with a cursor in the middle of the list is followed: every contact once, in order', async () => {
		emulator.seed({ contacts: 250 });
		emulator.configure({ faults: [afterFirstPage, emptyPages(1)] });
		const result = await getMany({ returnAll: true });
		expect(result.error).toBeUndefined();
		expect(ids(result.outputs[0])).toEqual(storedIds());
		expect(pages().map((request) => request.fault ?? request.query.limit)).toEqual(['slow', 'emptyPage', '100', '100']);
	});

	it('Limit: empty pages with cursors before the first contact do not end the read with nothing', async () => {
		emulator.seed({ contacts: 20 });
		emulator.configure({ faults: [emptyPages(3)] });
		const result = await getMany({ returnAll: false, limit: 5 });
		expect(result.error).toBeUndefined();
		expect(ids(result.outputs[0])).toEqual(storedIds().slice(0, 5));
		expect(pages()).toHaveLength(4);
	});

	it('10 empty pages with cursors in a row are an error for the item, not a read without end', async () => {
		emulator.seed({ contacts: 250 });
		emulator.configure({ faults: [afterFirstPage, emptyPages(10)] });
		const result = await getMany({ returnAll: true }, { settings: { onError: 'continueRegularOutput' } });
		const [items] = result.outputs;
		expect(items).toHaveLength(1);
		expect(items[0].json.error).toMatch(/pages 2 to 11 of the list were empty.*10 in a row.*\[item 0\]/);
		expect(pages()).toHaveLength(11);
	});

	it('an empty input sends nothing', async () => {
		const result = await getMany({ returnAll: true }, { rows: [] });
		expect(result.error).toBeUndefined();
		expect(pages()).toHaveLength(0);
	});

	it('a bad Limit from an expression is a per-item error naming it; nothing is sent for that item', async () => {
		emulator.seed({ contacts: 3 });
		const result = await getMany(
			{ returnAll: false, limit: '={{ $json.limit }}' },
			{ rows: [{ limit: 2 }, { limit: 0 }], settings: { onError: 'continueRegularOutput' } },
		);
		const [items] = result.outputs;
		expect(items.map((item) => item.json.error ?? item.json.id)).toEqual([
			expect.stringMatching(/^ct_/),
			expect.stringMatching(/^ct_/),
			expect.stringMatching(/^Invalid Limit 0 \[item 1\]/),
		]);
		expect(pages()).toHaveLength(1);
	});
});
