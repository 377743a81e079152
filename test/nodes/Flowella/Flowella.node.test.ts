/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// The node as n8n runs it: real workflows through n8n-core's WorkflowExecute, real HTTP to the emulator.
import http from 'node:http';

import { emulatorForTests } from '../../support/emulator';
import { rowParameters, runFlowellaWorkflow } from '../../support/harness';
import type { FlowellaRun, NodeSettings } from '../../support/harness';

const KEY = 'flo_live_9f8e7d6c5b4a39281706';
const emulator = emulatorForTests([KEY]);

const contacts = () => emulator.requestsTo('POST', '/api/v1/contacts');

function run(rows: object[], settings: NodeSettings = {}, parameters = rowParameters, apiKey = KEY, baseUrl?: string) {
	return runFlowellaWorkflow({
		rows: rows as never,
		credentials: { apiKey, baseUrl: baseUrl ?? emulator.url },
		settings,
		parameters,
	});
}

/** Every place n8n keeps from a run: the output items, the run error and its cause. */
function expectKeyNowhere(result: FlowellaRun, key = KEY) {
	const error = result.error as unknown as { cause?: unknown; description?: unknown; message?: unknown } | undefined;
	const places = [
		JSON.stringify(result.outputs),
		JSON.stringify(result.run),
		JSON.stringify(error ?? null),
		JSON.stringify(error?.cause ?? null),
		String(error?.message ?? ''),
		String(error?.description ?? ''),
		String((error as { stack?: string } | undefined)?.stack ?? ''),
	];
	for (const place of places) expect(place).not.toContain(key);
}

const retry: NodeSettings = { retryOnFail: true, maxTries: 3, waitBetweenTries: 1 };

describe('Contact → Create or Update', () => {
	it('creates contacts and returns each ContactRow as Flowella sent it, in input order, paired', async () => {
		const result = await run([
			{ phone: '+34 612 345 678', name: 'Ana García', email: 'ana@example.com' },
			{ phone: 4915123456789, name: 'Jonas' },
			{ phone: '0044 20 7946 0958', waId: '442079460958' },
		]);
		expect(result.error).toBeUndefined();
		const [success] = result.outputs;
		expect(success.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(success.map((item) => item.json)).toEqual([...emulator.contacts.values()]);
		expect(success[0].json).toEqual({
			id: expect.any(String),
			phone: '+34612345678',
			waId: null,
			name: 'Ana García',
			email: 'ana@example.com',
			isOptedOut: false,
			createdAt: expect.any(String),
			updatedAt: expect.any(String),
		});
		expect(contacts().map((request) => request.body)).toEqual([
			{ phone: '+34612345678', name: 'Ana García', email: 'ana@example.com' },
			{ phone: '+4915123456789', name: 'Jonas' },
			{ phone: '+442079460958', waId: '442079460958' },
		]);
		for (const item of success) expect(item.json).not.toHaveProperty('error');
	});

	it('updates an existing contact, leaving blank cells alone by default', async () => {
		await run([{ phone: '+34612345678', name: 'Ana', email: 'ana@example.com', waId: '34612345678' }]);
		const result = await run([{ phone: '+34612345678', name: 'Ana María', email: '', waId: '  ' }]);
		expect(contacts()[1].body).toEqual({ phone: '+34612345678', name: 'Ana María' });
		expect(result.outputs[0][0].json).toMatchObject({ name: 'Ana María', email: 'ana@example.com', waId: '34612345678' });
		expect(emulator.contacts.size).toBe(1);
	});

	it('clears blank fields with null when Empty Values is Clear Field', async () => {
		await run([{ phone: '+34612345678', name: 'Ana', email: 'ana@example.com' }]);
		const result = await run([{ phone: '+34612345678', name: 'Ana', email: '' }], {}, {
			...rowParameters,
			additionalFields: { name: '={{ $json.name }}', email: '={{ $json.email }}' },
			options: { emptyValues: 'clear' },
		});
		expect(contacts()[1].body).toEqual({ phone: '+34612345678', name: 'Ana', email: null });
		expect(result.outputs[0][0].json).toMatchObject({ email: null, name: 'Ana' });
	});

	it('applies the default country code to national numbers', async () => {
		await run([{ phone: '06 12 34 56 78' }, { phone: '612345679' }, { phone: '+34612345678' }], {}, {
			...rowParameters,
			options: { defaultCountryCode: '33' },
		});
		expect(contacts().map((request) => (request.body as { phone: string }).phone)).toEqual([
			'+33612345678',
			'+33612345679',
			'+34612345678',
		]);
	});

	it('sends nothing for an empty input', async () => {
		const result = await run([]);
		expect(result.error).toBeUndefined();
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('bad input', () => {
	const rows = [{ phone: '+34612345678' }, { phone: '612-ABC' }, { phone: '+34612345679', email: 'nope' }, { phone: '+34612345670' }];

	it('stops the run on the first bad item, naming the field, the value and the item', async () => {
		const result = await run(rows, {}, rowParameters);
		expect(result.error?.message).toBe(
			'Invalid Phone "612-ABC" [item 1]: it may hold only digits, a leading + and spacing',
		);
		expect((result.error as unknown as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
		expect(contacts().map((request) => (request.body as { phone: string }).phone)).not.toContain('612-ABC');
	});

	it('with On Error = Continue, puts an error item in place of each bad one and carries on', async () => {
		const result = await run(rows, { onError: 'continueRegularOutput' });
		expect(result.error).toBeUndefined();
		const [items] = result.outputs;
		expect(items).toHaveLength(4);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(items[0].json.phone).toBe('+34612345678');
		expect(items[1].json.error).toContain('Invalid Phone "612-ABC" [item 1]');
		expect(items[2].json.error).toBe('Invalid Email "nope" [item 2]: it is not an email address');
		expect(items[3].json.phone).toBe('+34612345670');
		expect(contacts()).toHaveLength(2);
	});

	it('with Continue (using error output), routes bad items to the error output with their row', async () => {
		const result = await run(rows, { onError: 'continueErrorOutput' });
		const [success, failed] = result.outputs;
		expect(success.map((item) => item.json.phone)).toEqual(['+34612345678', '+34612345670']);
		expect(success.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 3 }]);
		expect(failed.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		expect(failed[0].json).toMatchObject({ phone: '612-ABC', error: expect.stringContaining('[item 1]') });
		expect(failed[1].json).toMatchObject({ email: 'nope', error: expect.stringContaining('Email') });
	});

	it('a failing option expression fails only its own item, never the whole node', async () => {
		const result = await run(
			[{ phone: '0612345678' }, { phone: '0612345679', cc: '33' }, { phone: '0612345670', cc: '33' }],
			{ onError: 'continueErrorOutput' },
			{ ...rowParameters, options: { defaultCountryCode: '={{ $json.cc ?? $("No such node").item.json.cc }}' } },
		);
		const [success, failed] = result.outputs;
		expect(success.map((item) => item.json.phone)).toEqual(['+33612345679', '+33612345670']);
		expect(failed.map((item) => item.pairedItem)).toEqual([{ item: 0 }]);
		expect(failed[0].json.error).toMatch(/\[item 0\]/);
		expect(contacts().map((request) => (request.body as { phone: string }).phone)).toEqual(['+33612345679', '+33612345670']);
	});

	it('falls back to 5 Parallel Requests when that option\'s expression fails', async () => {
		emulator.configure({ latencyMs: 20 });
		const rows = Array.from({ length: 20 }, (_, n) => ({ phone: `+346123400${String(n).padStart(2, '0')}` }));
		const result = await run(rows, { onError: 'continueErrorOutput' }, {
			...rowParameters,
			options: { concurrency: '={{ $json.parallel ?? $("No such node").item.json.parallel }}' },
		});
		expect(result.outputs[1]).toEqual([]);
		expect(result.outputs[0].map((item) => item.json.phone)).toEqual(rows.map((row) => row.phone));
		expect(contacts()).toHaveLength(20);
		expect(emulator.maxInFlight).toBe(5);
	});

	it('refuses a bad Default Country Code per item', async () => {
		const result = await run([{ phone: '612345678' }], { onError: 'continueRegularOutput' }, {
			...rowParameters,
			options: { defaultCountryCode: '+0034' },
		});
		expect(result.outputs[0][0].json.error).toContain('Invalid Default Country Code');
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('Flowella errors', () => {
	it('reports a 400 with what Flowella said', async () => {
		emulator.configure({ faults: [{ kind: 'status', status: 400, code: 'VALIDATION_ERROR', message: 'phone: already used by a blocked contact' }] });
		const result = await run([{ phone: '+34612345678' }]);
		expect(result.error?.message).toBe(
			'Flowella answered 400 VALIDATION_ERROR: phone: already used by a blocked contact [item 0]',
		);
		expect(contacts()).toHaveLength(1);
	});

	it.each([
		[402, 'PAYMENT_REQUIRED', 'subscription'],
		[403, 'FORBIDDEN', 'does not allow'],
		[404, 'NOT_FOUND', 'Base URL'],
	])('reports %d %s without retrying', async (status, code, advice) => {
		emulator.configure({ faults: [{ kind: 'status', status, code, message: 'no' }] });
		const result = await run([{ phone: '+34612345678' }], { onError: 'continueRegularOutput' });
		expect(result.outputs[0][0].json).toEqual({
			error: `Flowella answered ${status} ${code}: no [item 0]`,
			message: expect.stringContaining(advice),
		});
		expect(contacts()).toHaveLength(1);
	});

	it('reports a wrong key as 401 and says to check it, without leaking either key', async () => {
		const wrongKey = 'flo_wrong_0123456789abcdef';
		const result = await run([{ phone: '+34612345678' }, { phone: '+34612345679' }], {}, rowParameters, wrongKey);
		expect(result.error?.message).toBe('Flowella answered 401 UNAUTHORIZED: Invalid API key [item 0]');
		expect((result.error as unknown as { description: string }).description).toContain('Check the API key');
		// Both requests were already in flight (Parallel Requests); neither was retried.
		expect(contacts().map((request) => request.status)).toEqual([401, 401]);
		expectKeyNowhere(result, wrongKey);
	});

	it('without a credential, fails every item instead of passing them on unsent', async () => {
		const result = await runFlowellaWorkflow({
			rows: [{ phone: '+34612345678' }, { phone: '+34612345679' }],
			credentials: null,
			settings: { onError: 'continueErrorOutput' },
		});
		const [success, failed] = result.outputs;
		expect(success).toEqual([]);
		expect(failed.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(failed[0].json.error).toMatch(/credentials.*\[item 0\]$/i);
		expect(emulator.requests).toHaveLength(0);
	});

	it('refuses a plain-http Base URL before sending anything', async () => {
		// Not loopback by name, yet it reaches the emulator: a request that slipped past the check would be recorded.
		const baseUrl = emulator.url.replace('127.0.0.1', '0.0.0.0');
		expect((await fetch(`${baseUrl}/api/v1/ping`)).status).toBe(401);
		const before = emulator.requests.length;
		const result = await run([{ phone: '+34612345678' }], {}, rowParameters, KEY, baseUrl);
		expect(result.error?.message).toContain('must start with https://');
		expect(emulator.requests).toHaveLength(before);
	});

	it('does not follow a redirect, so the key never reaches another host', async () => {
		const seen: Array<string | undefined> = [];
		const other = http.createServer((req, res) => {
			seen.push(req.headers.authorization);
			res.end('{}');
		});
		await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
		const { port } = other.address() as { port: number };
		try {
			for (const status of [301, 302, 307]) {
				emulator.configure({ faults: [{ kind: 'redirect', status, location: `http://localhost:${port}/api/v1/contacts` }] });
				const result = await run([{ phone: '+34612345678' }]);
				expect(result.error?.message).toContain(`Flowella answered ${status} redirecting to http://localhost:${port}`);
				expectKeyNowhere(result);
			}
			expect(seen).toEqual([]);
		} finally {
			other.closeAllConnections();
			await new Promise((resolve) => other.close(resolve));
		}
	});
});

describe('retries', () => {
	const twoRows = [{ phone: '+34612345678' }, { phone: '+34612345679' }];
	const rateLimited = (retryAfter?: string) => ({ kind: 'status' as const, status: 429, code: 'RATE_LIMITED', message: 'Too many requests', retryAfter });

	it('with Retry On Fail off, makes one attempt and says how to turn retries on', async () => {
		emulator.configure({ faults: [rateLimited()] });
		const result = await run(twoRows);
		expect(result.error?.message).toBe('Flowella answered 429 RATE_LIMITED: Too many requests (rate limited) [item 0]');
		expect((result.error as unknown as { description: string }).description).toContain('Turn on "Retry On Fail"');
		expect(contacts().filter((request) => (request.body as { phone: string }).phone === '+34612345678')).toHaveLength(1);
	});

	// Each case gives the Retry-After header (made when the test runs) and the earliest moment the retry may start.
	it.each([
		['without Retry-After', () => undefined, () => 0],
		['with Retry-After seconds', () => '1', (answeredAt: number) => answeredAt + 1000],
		// HTTP dates have whole seconds: 3 s ahead is at least 2 s ahead.
		['with Retry-After as an HTTP date', () => new Date(Date.now() + 3000).toUTCString(), (_: number, header?: string) => Date.parse(header ?? '')],
	])('retries a 429 %s, re-sending only the rate-limited request', async (_, header, earliestRetry) => {
		const retryAfter = header();
		emulator.configure({ faults: [{ ...rateLimited(retryAfter), path: '/api/v1/contacts' }] });
		const result = await run(twoRows, { ...retry, onError: 'continueErrorOutput' });
		expect(result.outputs[0].map((item) => item.json.phone)).toEqual(['+34612345678', '+34612345679']);
		expect(result.outputs[1]).toEqual([]);
		const statuses = contacts().map((request) => request.status);
		expect(statuses.filter((status) => status === 200)).toHaveLength(2);
		expect(statuses.filter((status) => status === 429)).toHaveLength(1);
		const limited = contacts().find((request) => request.status === 429);
		const retried = contacts().find((request) => request.seq > (limited?.seq ?? 0) && (request.body as { phone: string }).phone === (limited?.body as { phone: string }).phone);
		expect(limited?.answeredAt).toBeDefined();
		// A timer may fire a millisecond before Date.now() has moved on.
		expect(retried?.at).toBeGreaterThanOrEqual(earliestRetry(limited?.answeredAt ?? 0, retryAfter) - 5);
	});

	it('fails only that item when 429s outlast the retry budget', async () => {
		emulator.configure({ faults: [{ ...rateLimited(), times: 3, phone: '+34612345679' }] });
		const result = await run(twoRows, { ...retry, onError: 'continueErrorOutput' });
		expect(result.outputs[0].map((item) => item.json.phone)).toEqual(['+34612345678']);
		expect(result.outputs[1][0].json.error).toBe('Flowella answered 429 RATE_LIMITED: Too many requests (rate limited) [item 1]');
		expect(result.outputs[1][0].json.message).toContain('Gave up after 3 attempts');
		expect(contacts()).toHaveLength(4);
	});

	it.each([
		['500', { kind: 'status', status: 500 }],
		['502 HTML page', { kind: 'html', status: 502 }],
		['503', { kind: 'status', status: 503 }],
		['504', { kind: 'status', status: 504 }],
		['connection reset', { kind: 'reset', after: true }],
		['malformed JSON in a 200', { kind: 'malformed', after: true }],
		['a 200 that is not a ContactRow', { kind: 'notContactRow', after: true }],
	])('retries after %s and succeeds', async (_, fault) => {
		emulator.configure({ faults: [fault as never] });
		const result = await run([{ phone: '+34612345678' }], retry);
		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json).toMatchObject({ phone: '+34612345678', id: expect.any(String) });
		expect(contacts()).toHaveLength(2);
		expectKeyNowhere(result);
	});

	it.each([
		['500', { kind: 'status', status: 500 }, 'Flowella answered 500 INTERNAL_ERROR: Internal server error (Flowella server error)'],
		['502 HTML page', { kind: 'html', status: 502 }, 'Flowella answered 502 without an error code (Flowella server error)'],
		['connection reset', { kind: 'reset', after: true }, 'The connection to Flowella failed'],
		['malformed JSON', { kind: 'malformed', after: true }, 'Flowella answered 200 with an unexpected body: the body is not valid JSON'],
		['not a ContactRow', { kind: 'notContactRow', after: true }, 'Flowella answered 200 with an unexpected body: "id" is not a string'],
	])('without retries, reports %s clearly', async (_, fault, message) => {
		emulator.configure({ faults: [fault as never] });
		const result = await run([{ phone: '+34612345678' }]);
		expect(result.error?.message).toContain(message);
		expect(result.error?.message).toContain('[item 0]');
		expect(contacts()).toHaveLength(1);
		expectKeyNowhere(result);
	});

	it("lets n8n's Retry On Fail re-run the node after a hard failure without re-sending items that succeeded", async () => {
		const rows = [{ phone: '+34612345678' }, { phone: '+34612345679', name: 'x'.repeat(201) }, { phone: '+34612345677' }];
		const result = await run(rows, { retryOnFail: true, maxTries: 3, waitBetweenTries: 1 });
		expect(result.error?.message).toContain('Invalid Name');
		// n8n ran the node 3 times. Item 0 reached Flowella once; item 2 at most once, as once item 1
		// has failed the node nothing new is sent.
		const sent = contacts().map((request) => (request.body as { phone: string }).phone);
		expect(sent.filter((phone) => phone === '+34612345678')).toHaveLength(1);
		expect(sent.filter((phone) => phone === '+34612345677').length).toBeLessThanOrEqual(1);
	});

	it('when the first item fails with On Error = Continue, n8n re-runs the node; only that item is sent again', async () => {
		emulator.configure({ faults: [{ kind: 'status', status: 503, times: 3, phone: '+34612345678' }] });
		const rows = [{ phone: '+34612345678' }, { phone: '+34612345679' }, { phone: '+34612345677' }];
		const result = await run(rows, { ...retry, onError: 'continueRegularOutput' });
		expect(result.outputs[0].map((item) => item.json.phone)).toEqual(['+34612345678', '+34612345679', '+34612345677']);
		const sent = contacts().map((request) => `${(request.body as { phone: string }).phone} ${request.status}`);
		expect(sent.filter((line) => line.endsWith(' 200')).sort()).toEqual([
			'+34612345677 200',
			'+34612345678 200',
			'+34612345679 200',
		]);
		expect(sent.filter((line) => line === '+34612345678 503')).toHaveLength(3);
	});

	it('gives up on a response that never comes after the timeout', async () => {
		emulator.configure({ faults: [{ kind: 'hang' }] });
		const result = await run([{ phone: '+34612345678' }], {}, { ...rowParameters, options: { timeout: 1000 } });
		expect(result.error?.message).toMatch(/The connection to Flowella failed \(\w+\): .*timeout/i);
		expectKeyNowhere(result);
	});
});

describe('Stop, timeouts, and a run that is going to fail', () => {
	const phoneOf = (n: number) => `+346120${String(n).padStart(5, '0')}`;
	const rowsOf = (count: number) => Array.from({ length: count }, (_, n) => ({ phone: phoneOf(n) }));
	const sentFor = (n: number) => contacts().filter((request) => (request.body as { phone: string }).phone === phoneOf(n));
	// Every wait in these tests is a 60 s Retry-After; the node must end long before it would be over.
	const PROMPTLY_MS = 20_000;

	// Stop leaves the emulator answering requests the node gave up on: let it finish before the next test.
	afterEach(async () => {
		for (let waited = 0; waited < 5000 && emulator.requests.some((request) => request.status === 0); waited += 10) {
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
	});

	/** Calls `then` once the emulator has answered `count` contact requests. */
	function afterAnswers(count: number, then: () => void) {
		let answered = 0;
		const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
			if (req.method !== 'POST' || req.url !== '/api/v1/contacts') return;
			res.on('finish', () => {
				if (++answered === count) then();
			});
		};
		emulator.server.on('request', onRequest);
		return () => emulator.server.off('request', onRequest);
	}

	it('after Stop, starts no new item and no new attempt', async () => {
		emulator.configure({ latencyMs: 40 });
		const stop = new AbortController();
		const detach = afterAnswers(6, () => stop.abort());
		const result = await runFlowellaWorkflow({
			rows: rowsOf(20),
			credentials: { apiKey: KEY, baseUrl: emulator.url },
			settings: { ...retry, waitBetweenTries: 1000, onError: 'continueRegularOutput' },
			parameters: { ...rowParameters, options: { concurrency: 2 } },
			cancelSignal: stop.signal,
		}).finally(detach);
		expect(result.attemptsAfterCancel).toBe(0);
		expect(contacts().length).toBeLessThanOrEqual(6 + 2);
		const [items] = result.outputs;
		expect(items.map((item) => item.pairedItem)).toEqual(rowsOf(20).map((_, item) => ({ item })));
		const stopped = items.filter((item) => item.json.error !== undefined);
		expect(stopped.length).toBeGreaterThanOrEqual(20 - 8);
		for (const item of stopped) expect(item.json.error).toMatch(/^The execution was stopped .*\[item \d+\]$/);
	}, 40_000);

	it.each([
		['a shared 429 pause', 429],
		['a back-off', 503],
	])('after Stop, %s ends at once', async (_, status) => {
		emulator.configure({ faults: [{ kind: 'status', status, retryAfter: '60', times: 100, phone: phoneOf(0) }] });
		const stop = new AbortController();
		let stoppedAt = 0;
		// The node is then waiting out the Retry-After of the first answer.
		const detach = afterAnswers(1, () => {
			setTimeout(() => {
				stoppedAt = Date.now();
				stop.abort();
			}, 300);
		});
		const result = await runFlowellaWorkflow({
			rows: rowsOf(1),
			credentials: { apiKey: KEY, baseUrl: emulator.url },
			settings: retry,
			cancelSignal: stop.signal,
		}).finally(detach);
		expect(stoppedAt).toBeGreaterThan(0);
		expect(Date.now() - stoppedAt).toBeLessThan(PROMPTLY_MS);
		expect(result.attemptsAfterCancel).toBe(0);
		expect(contacts()).toHaveLength(1);
	}, 40_000);

	it.each([
		['a shared 429 pause', 429],
		['a back-off', 503],
	])('once an item has failed for good, sends nothing new and ends %s at once', async (_, status) => {
		emulator.configure({
			latencyMs: 20,
			faults: [
				{ kind: 'status', status: 401, code: 'UNAUTHORIZED', message: 'Invalid API key', times: 100, phone: phoneOf(0) },
				{ kind: 'status', status, retryAfter: '60', times: 100, phone: phoneOf(1) },
			],
		});
		const started = Date.now();
		const result = await runFlowellaWorkflow({
			rows: rowsOf(8),
			credentials: { apiKey: KEY, baseUrl: emulator.url },
			settings: retry,
			parameters: { ...rowParameters, options: { concurrency: 4 } },
		});
		expect(Date.now() - started).toBeLessThan(PROMPTLY_MS);
		expect(result.error?.message).toBe('Flowella answered 401 UNAUTHORIZED: Invalid API key [item 0]');
		// n8n runs the node 3 times (Retry On Fail); within a run, item 1 is never sent again.
		expect(sentFor(0)).toHaveLength(3);
		expect(sentFor(1).length).toBeLessThanOrEqual(3);
		expect(result.attempts).toBe(contacts().length);
	}, 40_000);
});
