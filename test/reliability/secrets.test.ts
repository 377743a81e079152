/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// The API key never leaves through an output, an error, a stored run, a log line or a redirect,
// on any error path; and a Base URL that is not https (loopback aside) sends nothing at all.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';

import { startEmulator } from '../../emulator/server';
import type { Fault, FlowellaEmulator } from '../../emulator/server';
import { rowParameters, runFlowellaWorkflow } from '../support/harness';
import type { NodeSettings } from '../support/harness';
import { LogCapture, placesHolding, placesToSearch, writeResults } from '../support/reliability';

const KEY = 'flo_live_secret_77aa66bb55cc44dd33ee';

let emulator: FlowellaEmulator;
let trap: http.Server;
const trapSeen: Array<{ url?: string; authorization?: string }> = [];
let trapConnections = 0;
const logs = new LogCapture();
const summary = { paths: 0, placesPerRun: 0, found: 0, nodeLogLines: 0, redirects: [] as number[], authorizationForwarded: 0, refusedBaseUrls: [] as string[] };

beforeAll(async () => {
	emulator = await startEmulator({ apiKeys: [KEY] });
	// Listens on every loopback address, so a Base URL that slipped past the https check would land here.
	trap = http.createServer((req, res) => {
		trapSeen.push({ url: req.url, authorization: req.headers.authorization });
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end('{}');
	});
	trap.on('connection', () => {
		trapConnections += 1;
	});
	await new Promise<void>((resolve) => trap.listen(0, '::', resolve));
	logs.start();
});
afterAll(async () => {
	logs.stop();
	trap.closeAllConnections();
	await new Promise((resolve) => trap.close(resolve));
	await emulator.close();
	writeResults('secrets.json', summary);
});
beforeEach(() => {
	emulator.reset();
	emulator.configure({ latencyMs: 0, rateLimit: null, faults: [], randomFaults: null, apiKeys: [KEY] });
	logs.clear();
});

const trapPort = () => (trap.address() as AddressInfo).port;

async function runAndSearch(options: { faults?: Fault[]; rows?: object[]; settings?: NodeSettings; baseUrl?: string; apiKey?: string; parameters?: object }) {
	emulator.configure({ faults: options.faults ?? [] });
	const result = await runFlowellaWorkflow({
		rows: (options.rows ?? [{ phone: '+34612345678' }, { phone: '+34612345679' }]) as never,
		credentials: { apiKey: options.apiKey ?? KEY, baseUrl: options.baseUrl ?? emulator.url },
		settings: options.settings ?? {},
		parameters: (options.parameters ?? { ...rowParameters, options: { timeout: 1000 } }) as never,
	});
	const found = placesHolding(options.apiKey ?? KEY, result, logs);
	summary.paths += 1;
	summary.placesPerRun = Math.max(summary.placesPerRun, placesToSearch(result, logs).length);
	summary.found += found;
	const nodeLines = logs.unexpectedLines().filter((line) => !line.startsWith('Logger.error'));
	summary.nodeLogLines += nodeLines.length;
	expect(found).toBe(0);
	expect(nodeLines).toEqual([]);
	return result;
}

const FAULTS: Array<[string, Fault]> = [
	['429', { kind: 'status', status: 429, code: 'RATE_LIMITED', message: 'Too many requests', times: 20 }],
	['500', { kind: 'status', status: 500, times: 20 }],
	['503', { kind: 'status', status: 503, times: 20 }],
	['HTML 502', { kind: 'html', status: 502, times: 20 }],
	['reset', { kind: 'reset', after: true, times: 20 }],
	['hang', { kind: 'hang', after: true, times: 20 }],
	['malformed JSON', { kind: 'malformed', after: true, times: 20 }],
	['not a ContactRow', { kind: 'notContactRow', after: true, times: 20 }],
	['401 revoked', { kind: 'revokeKey' }],
	['400 echoing the key', { kind: 'status', status: 400, code: 'VALIDATION_ERROR', message: `bad key ${KEY} for this org`, times: 20 }],
	['400 echoing the key lower-cased', { kind: 'status', status: 400, code: 'VALIDATION_ERROR', message: `bad key ${KEY.toLowerCase()}`, times: 20 }],
	['400 echoing the key upper-cased', { kind: 'status', status: 400, code: KEY.toUpperCase(), message: 'bad key', times: 20 }],
	['400 echoing the key masked', { kind: 'status', status: 400, code: 'VALIDATION_ERROR', message: `key ${KEY.slice(0, 12)}…${KEY.slice(-4)} revoked`, times: 20 }],
	['400 echoing the key without its prefix', { kind: 'status', status: 400, code: 'VALIDATION_ERROR', message: `secret ${KEY.slice(4)} unknown`, times: 20 }],
	['402', { kind: 'status', status: 402, code: 'PAYMENT_REQUIRED', message: 'no', times: 20 }],
	['403', { kind: 'status', status: 403, code: 'FORBIDDEN', message: 'no', times: 20 }],
	['404', { kind: 'status', status: 404, code: 'NOT_FOUND', message: 'no', times: 20 }],
];
const SETTINGS: Array<[string, NodeSettings]> = [
	['stop, no retries', {}],
	['stop, Retry On Fail', { retryOnFail: true, maxTries: 2, waitBetweenTries: 1 }],
	['error output, Retry On Fail', { retryOnFail: true, maxTries: 2, waitBetweenTries: 1, onError: 'continueErrorOutput' }],
];

describe('the key appears nowhere on any error path', () => {
	describe.each(FAULTS)('%s', (_, fault) => {
		it.each(SETTINGS)('%s', async (__, settings) => {
			const result = await runAndSearch({ faults: [fault], settings });
			const failed = result.error !== undefined || (result.outputs[1] ?? []).length > 0;
			expect(failed).toBe(true);
		});
	});

	it('bad input (validation errors)', async () => {
		await runAndSearch({ rows: [{ phone: '612-ABC' }, { phone: '+34612345678', email: 'nope' }], settings: { onError: 'continueRegularOutput' } });
		await runAndSearch({ rows: [{ phone: 'abc' }] });
	});

	it('an answer that echoes the key, in any spelling, reaches no output item', async () => {
		const echoes = [KEY, KEY.toLowerCase(), `${KEY.slice(0, 12)}...${KEY.slice(-4)}`, KEY.slice(4)];
		const body = { id: 'ct_1', phone: '+34612345678', name: echoes.join(' '), email: null, waId: null, isOptedOut: false, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
		const result = await runAndSearch({ faults: [{ kind: 'json', status: 200, body, times: 2 }], settings: { onError: 'continueRegularOutput' } });
		const output = JSON.stringify(result.outputs);
		for (const echo of echoes) expect(output).not.toContain(echo);
		expect(output).toContain('[redacted]');
	});

	it('a wrong key', async () => {
		await runAndSearch({ apiKey: 'flo_wrong_0011223344556677' });
	});

	it('a redirect whose Location carries the key', async () => {
		const result = await runAndSearch({
			faults: [{ kind: 'redirect', status: 302, location: `http://localhost:${trapPort()}/steal?key=${KEY}`, times: 20 }],
			settings: { onError: 'continueRegularOutput' },
		});
		expect(result.outputs[0][0].json.error).toContain('key=[redacted]');
	});
});

describe('redirects are never followed, so the key never reaches another server', () => {
	it.each([301, 302, 303, 307, 308])('%d to a second loopback server', async (status) => {
		const before = trapSeen.length;
		const result = await runAndSearch({
			faults: [{ kind: 'redirect', status, location: `http://localhost:${trapPort()}/api/v1/contacts`, times: 20 }],
			settings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 1, onError: 'continueErrorOutput' },
		});
		expect(trapSeen.slice(before)).toEqual([]);
		expect(result.outputs[1].map((item) => item.json.error)).toEqual([
			`Flowella answered ${status} redirecting to http://localhost:${trapPort()}/api/v1/contacts [item 0]`,
			`Flowella answered ${status} redirecting to http://localhost:${trapPort()}/api/v1/contacts [item 1]`,
		]);
		// Not retried by the node (n8n re-runs the node for a failed first item: once per try).
		expect(emulator.requestsTo('POST', '/api/v1/contacts').length).toBeLessThanOrEqual(2 * 3);
		summary.redirects.push(status);
		summary.authorizationForwarded += trapSeen.slice(before).filter((seen) => seen.authorization).length;
	});
});

describe('a Base URL that is not https is refused before any request', () => {
	// This machine's own non-loopback addresses stand in for another host: not loopback by name, yet they reach the trap.
	const outsideAddresses = () =>
		Object.values(os.networkInterfaces())
			.flat()
			.filter((address) => address && !address.internal && address.family === 'IPv4')
			.map((address) => address?.address ?? '');
	/** Plain-http Base URLs that reach the trap (checked below), so a request that slipped past the check would land there. */
	const reachingTheTrap = () => [
		`http://0.0.0.0:${trapPort()}`,
		`http://127.0.0.2:${trapPort()}`,
		`http://[::ffff:127.0.0.1]:${trapPort()}`,
		`http://[::]:${trapPort()}`,
		...outsideAddresses().map((address) => `http://${address}:${trapPort()}`),
	];
	/** Refused for their form; they may not resolve or be fetchable here. */
	const otherRefused = () => [
		`http://localhost.:${trapPort()}`,
		`ftp://localhost:${trapPort()}`,
		`ws://localhost:${trapPort()}`,
		'http://flowella.example.com',
		'//app.flowella.io',
		'app.flowella.io',
		'javascript:alert(1)',
		'',
	];

	it('each plain-http address the node refuses does reach the trap when fetched directly', async () => {
		for (const url of reachingTheTrap()) {
			const before = trapSeen.length;
			const response = await fetch(`${url}/probe`, { headers: { connection: 'close' } });
			expect(response.status).toBe(200);
			expect(trapSeen.slice(before)).toEqual([{ url: '/probe', authorization: undefined }]);
		}
	});

	it('refuses each, opening no connection and keeping the key out of the error', async () => {
		for (const baseUrl of [...reachingTheTrap(), ...otherRefused()]) {
			const before = { seen: trapSeen.length, connections: trapConnections };
			const result = await runAndSearch({ baseUrl });
			expect(result.error?.message).toMatch(/must start with https:\/\/|is not a valid URL/);
			expect(trapConnections).toBe(before.connections);
			expect(trapSeen.slice(before.seen)).toEqual([]);
			summary.refusedBaseUrls.push(baseUrl.replace(String(trapPort()), 'PORT'));
		}
	});
});
