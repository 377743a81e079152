/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// The webhook sender against a real HTTP receiver on loopback that checks signatures with its
// own HMAC code and answers what each test asks for.
import * as crypto from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';

import { DEFAULT_SCHEDULE_MS, MAX_CONSECUTIVE_FAILURES, PLAYGROUND_WEBHOOK, WebhookSender, sampleEvent, sendEvent } from '../../emulator/webhooks';

const SECRET = 'whsec_sender_test_0123456789';

interface Received {
	raw: Buffer;
	headers: http.IncomingHttpHeaders;
	at: number;
	validSignature: boolean;
}

let server: http.Server;
let url: string;
const received: Received[] = [];
let answers: number[] = [];

beforeAll(async () => {
	server = http.createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const raw = Buffer.concat(chunks);
			const expected = crypto.createHmac('sha256', SECRET).update(raw).digest('hex');
			received.push({ raw, headers: request.headers, at: Date.now(), validSignature: request.headers['x-flowella-signature'] === expected });
			response.writeHead(answers.shift() ?? 200, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
	received.length = 0;
	answers = [];
});

describe('WebhookSender', () => {
	it('signs the exact bytes it sends, with Flowella\'s headers', async () => {
		const record = await sendEvent(url, SECRET, 'message.received');
		expect(record.delivered).toBe(true);
		expect(received).toHaveLength(1);
		const [request] = received;
		expect(request.validSignature).toBe(true);
		expect(request.headers['content-type']).toBe('application/json');
		expect(request.headers['user-agent']).toBe('Flowella-Webhooks/1');
		expect(request.headers['x-flowella-event']).toBe('message.received');
		expect(request.headers['x-flowella-delivery']).toBe(record.deliveryId);
		expect(Math.abs(Number(request.headers['x-flowella-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
		expect(JSON.parse(request.raw.toString('utf8'))).toMatchObject({ event: 'message.received', data: { id: expect.any(String), from: '+34612345678' } });
	});

	it('sends only the event types the webhook subscribes to, and webhook.test always', async () => {
		const sender = new WebhookSender({ url, secret: SECRET, events: ['message.received'] });
		await sender.send('message.received');
		const skipped = await sender.send('message.read');
		await sender.sendTest();
		expect(skipped).toMatchObject({ skipped: 'not subscribed' });
		expect(received.map((request) => request.headers['x-flowella-event'])).toEqual(['message.received', 'webhook.test']);
	});

	it('retries a non-2xx answer on the back-off schedule, same delivery, compressed clock', async () => {
		answers = [500, 503, 429];
		const sender = new WebhookSender({ url, secret: SECRET, scheduleMs: [1000, 2000, 4000], speedup: 20 });
		const record = await sender.send('message.sent');
		expect(record.delivered).toBe(true);
		expect(record.attempts.map((attempt: { status: number }) => attempt.status)).toEqual([500, 503, 429, 200]);
		expect(new Set(received.map((request) => request.headers['x-flowella-delivery'])).size).toBe(1);
		expect(new Set(received.map((request) => request.raw.toString())).size).toBe(1);
		expect(received.every((request) => request.validSignature)).toBe(true);
		const gaps = received.slice(1).map((request, index) => request.at - received[index].at);
		// 1, 2 and 4 s compressed 20 times: at least the compressed wait, far below the real one.
		[50, 100, 200].forEach((expected, index) => {
			expect(gaps[index]).toBeGreaterThanOrEqual(expected - 5);
			expect(gaps[index]).toBeLessThan(expected * 10);
		});
	});

	it('gives up when the schedule is exhausted, and is disabled after 10 failures in a row', async () => {
		answers = Array(20).fill(500);
		const sender = new WebhookSender({ url, secret: SECRET, scheduleMs: [1, 1, 1], speedup: 1 });
		const first = await sender.send('message.failed');
		expect(first).toMatchObject({ delivered: false, gaveUp: 'schedule exhausted' });
		expect(first.attempts).toHaveLength(4);
		await sender.send('message.failed');
		const third = await sender.send('message.failed');
		expect(sender.consecutiveFailures).toBe(MAX_CONSECUTIVE_FAILURES);
		expect(third.gaveUp).toBe('webhook disabled');
		expect(received).toHaveLength(MAX_CONSECUTIVE_FAILURES);
		expect(DEFAULT_SCHEDULE_MS).toHaveLength(MAX_CONSECUTIVE_FAILURES - 1);
	});

	it('records what each answer was', async () => {
		answers = [401, 200];
		const sender = new WebhookSender({ url, secret: SECRET, retry: false });
		await sender.send('message.read');
		await sender.send('message.read');
		expect(sender.statusCounts()).toEqual({ 200: 1, 401: 1 });
	});

	it('replays a delivery byte for byte with the same id and a fresh timestamp', async () => {
		const sender = new WebhookSender({ url, secret: SECRET });
		const original = await sender.send('message.received');
		await sender.replay(original);
		expect(received[1].raw.equals(received[0].raw)).toBe(true);
		expect(received[1].headers['x-flowella-delivery']).toBe(original.deliveryId);
		expect(received[1].validSignature).toBe(true);
	});

	it.each([
		['forge', (r: Received) => !r.validSignature && r.headers['x-flowella-signature'] !== undefined],
		['unsigned', (r: Received) => r.headers['x-flowella-signature'] === undefined],
		['corrupt', (r: Received) => !r.validSignature && r.raw.toString().includes('"Data"')],
		['stale', (r: Received) => r.validSignature && Date.now() / 1000 - Number(r.headers['x-flowella-timestamp']) > 300],
		['future', (r: Received) => r.validSignature && Number(r.headers['x-flowella-timestamp']) - Date.now() / 1000 > 300],
		['noTimestamp', (r: Received) => r.validSignature && r.headers['x-flowella-timestamp'] === undefined],
		['notJson', (r: Received) => r.validSignature && r.raw.toString().startsWith('not json')],
		['wrongContentType', (r: Received) => r.validSignature && r.headers['content-type'] === 'text/plain'],
	])('tampers: %s', async (mode, check) => {
		const sender = new WebhookSender({ url, secret: SECRET, retry: false });
		await sender.send('message.received', { mode });
		expect(check(received[0])).toBe(true);
	});

	it('delays a delivery (compressed) with the timestamp of when it was made', async () => {
		const sender = new WebhookSender({ url, secret: SECRET, speedup: 6000 });
		const before = Date.now();
		await sender.send('message.received', { delayMs: 6 * 60_000 });
		expect(Date.now() - before).toBeLessThan(1000);
		expect(before / 1000 - Number(received[0].headers['x-flowella-timestamp'])).toBeGreaterThan(350);
	});

	it('builds sample events with the documented part: the type and a data object with an id', () => {
		for (const type of ['message.received', 'conversation.opened', 'optout.created', 'template.status_updated', 'webhook.test']) {
			expect(sampleEvent(type)).toMatchObject({ event: type, data: { id: expect.any(String) } });
		}
		expect(PLAYGROUND_WEBHOOK.secret.length).toBeGreaterThanOrEqual(16);
	});
});
