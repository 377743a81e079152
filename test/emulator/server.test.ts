import { emulatorForTests } from '../support/emulator';
import type { FlowellaEmulator } from '../../emulator/server';

const KEY = 'flo_test_emulator';

async function call(emulator: FlowellaEmulator, method: string, path: string, body?: unknown, key = KEY) {
	const response = await fetch(`${emulator.url}${path}`, {
		method,
		headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
	});
	const text = await response.text();
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any JSON the emulator answers; each test asserts the shape it expects
	let json: any;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: response.status, headers: response.headers, text, json };
}

describe('Flowella emulator', () => {
	const emulator = emulatorForTests([KEY]);

	it('answers ping for a valid key and 401 otherwise', async () => {
		expect((await call(emulator, 'GET', '/api/v1/ping')).json).toEqual({ ok: true, organizationId: 'org_emulator' });
		const wrong = await call(emulator, 'GET', '/api/v1/ping', undefined, 'flo_wrong');
		expect(wrong.status).toBe(401);
		expect(wrong.json).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Invalid API key' } });
	});

	it('creates, then updates only the supplied fields, and null clears', async () => {
		const created = await call(emulator, 'POST', '/api/v1/contacts', { phone: '+34612345678', name: 'Ana', email: 'ana@example.com' });
		expect(created.status).toBe(200);
		expect(created.json).toMatchObject({ phone: '+34612345678', name: 'Ana', email: 'ana@example.com', waId: null, isOptedOut: false });
		expect(typeof created.json.id).toBe('string');
		expect(new Date(created.json.createdAt).toISOString()).toBe(created.json.createdAt);

		const updated = await call(emulator, 'POST', '/api/v1/contacts', { phone: '+34612345678', waId: '34612345678', email: null });
		expect(updated.json).toMatchObject({ id: created.json.id, name: 'Ana', email: null, waId: '34612345678' });
		expect(updated.json.createdAt).toBe(created.json.createdAt);
		expect(updated.json.updatedAt > created.json.updatedAt).toBe(true);
		expect(emulator.contacts.size).toBe(1);
	});

	it.each([
		[{}, 'phone'],
		[{ phone: '612345678' }, 'E.164'],
		[{ phone: '+34612345678', name: '' }, 'name'],
		[{ phone: '+34612345678', name: 'x'.repeat(201) }, 'name'],
		[{ phone: '+34612345678', email: 'nope' }, 'email'],
		[{ phone: '+34612345678', waId: '' }, 'waId'],
		[{ phone: '+34612345678', waId: 1 }, 'waId'],
		[{ phone: '+34612345678', extra: 1 }, 'extra'],
		['{"phone":', 'Malformed'],
	])('answers 400 VALIDATION_ERROR for %j', async (body, messagePart) => {
		const response = await call(emulator, 'POST', '/api/v1/contacts', body);
		expect(response.status).toBe(400);
		expect(response.json.error.code).toBe('VALIDATION_ERROR');
		expect(response.json.error.message).toContain(messagePart);
	});

	it('pages through contacts with a cursor', async () => {
		for (let n = 0; n < 7; n++) await call(emulator, 'POST', '/api/v1/contacts', { phone: `+3461234567${n}` });
		const first = await call(emulator, 'GET', '/api/v1/contacts?limit=5');
		expect(first.json.items).toHaveLength(5);
		const second = await call(emulator, 'GET', `/api/v1/contacts?limit=5&cursor=${first.json.nextCursor}`);
		expect(second.json.items).toHaveLength(2);
		expect(second.json.nextCursor).toBeNull();
		expect((await call(emulator, 'GET', '/api/v1/contacts?limit=101')).status).toBe(400);
	});

	it.each([
		['none', (value: string | null) => expect(value).toBeNull()],
		['seconds', (value: string | null) => expect(value).toMatch(/^\d+$/)],
		['date', (value: string | null) => expect(Date.parse(value ?? '')).toBeGreaterThan(Date.now() - 1000)],
	] as const)('rate limits with a token bucket, Retry-After %s', async (retryAfter, checkHeader) => {
		emulator.configure({ rateLimit: { ratePerSec: 1, burst: 2, retryAfter } });
		const statuses = [];
		let header: string | null = null;
		for (let n = 0; n < 3; n++) {
			const response = await call(emulator, 'GET', '/api/v1/ping');
			statuses.push(response.status);
			if (response.status === 429) {
				expect(response.json).toEqual({ error: { code: 'RATE_LIMITED', message: 'Too many requests' } });
				header = response.headers.get('retry-after');
			}
		}
		expect(statuses).toEqual([200, 200, 429]);
		checkHeader(header);
	});

	it('injects faults in order, then answers normally', async () => {
		emulator.configure({
			faults: [
				{ kind: 'status', status: 503, times: 2 },
				{ kind: 'html' },
				{ kind: 'malformed', after: true },
				{ kind: 'notContactRow', after: true },
			],
		});
		const body = { phone: '+34612345678' };
		const answers: Awaited<ReturnType<typeof call>>[] = [];
		for (let n = 0; n < 6; n++) answers.push(await call(emulator, 'POST', '/api/v1/contacts', body));
		expect(answers.map((answer) => answer.status)).toEqual([503, 503, 502, 200, 200, 200]);
		expect(answers[2].text).toContain('<html>');
		expect(() => JSON.parse(answers[3].text)).toThrow();
		expect(answers[4].json).toEqual({ ok: true, items: [] });
		expect(answers[5].json.phone).toBe('+34612345678');
		expect(emulator.requestsTo('POST', '/api/v1/contacts')).toHaveLength(6);
	});

	it('revokes the key mid-run: that request and every later one with it get 401', async () => {
		emulator.configure({ faults: [{ kind: 'revokeKey', phone: '+34612345679' }] });
		try {
			const statuses: number[] = [];
			for (const phone of ['+34612345678', '+34612345679', '+34612345670']) {
				statuses.push((await call(emulator, 'POST', '/api/v1/contacts', { phone })).status);
			}
			expect(statuses).toEqual([200, 401, 401]);
			expect((await call(emulator, 'GET', '/api/v1/ping')).json).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Invalid API key' } });
			expect(emulator.contacts.size).toBe(1);
		} finally {
			emulator.configure({ apiKeys: [KEY] });
		}
	});

	it('resets a connection mid-response', async () => {
		emulator.configure({ faults: [{ kind: 'reset', after: true }] });
		await expect(call(emulator, 'POST', '/api/v1/contacts', { phone: '+34612345678' })).rejects.toThrow();
		expect(emulator.contacts.size).toBe(1);
	});

	it('records every request with its authorization and body', async () => {
		await call(emulator, 'POST', '/api/v1/contacts', { phone: '+34612345678' });
		expect(emulator.requests).toEqual([
			expect.objectContaining({ method: 'POST', path: '/api/v1/contacts', authorization: `Bearer ${KEY}`, body: { phone: '+34612345678' }, status: 200 }),
		]);
	});

	it('can be reconfigured over HTTP by other processes', async () => {
		await fetch(`${emulator.url}/__emulator/config`, { method: 'POST', body: JSON.stringify({ faults: [{ kind: 'status', status: 500 }] }) });
		expect((await call(emulator, 'GET', '/api/v1/ping')).status).toBe(500);
		const log = await (await fetch(`${emulator.url}/__emulator/requests`)).json();
		expect(log).toHaveLength(1);
	});
});

describe('Flowella emulator: the read side', () => {
	const emulator = emulatorForTests([KEY]);

	async function pages(path: string, limit: number) {
		const seen: Array<Record<string, unknown>> = [];
		let cursor: string | null | undefined;
		let requests = 0;
		do {
			const query = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
			const page = await call(emulator, 'GET', `${path}${path.includes('?') ? '&' : '?'}${query}`);
			expect(page.status).toBe(200);
			seen.push(...page.json.items);
			cursor = page.json.nextCursor;
			requests += 1;
		} while (cursor);
		return { seen, requests };
	}

	it('seeds contacts and pages through them: a full last page carries no cursor', async () => {
		expect(emulator.seed({ contacts: 250 })).toEqual({ contacts: 250, conversations: 0, messages: 0 });
		const { seen, requests } = await pages('/api/v1/contacts', 50);
		expect(requests).toBe(5);
		expect(new Set(seen.map((row) => row.id)).size).toBe(250);
	});

	it('refuses a limit outside 1–100 and a cursor it did not issue', async () => {
		for (const limit of ['0', '101', '2.5', 'ten']) {
			const answer = await call(emulator, 'GET', `/api/v1/contacts?limit=${limit}`);
			expect([answer.status, answer.json.error.code]).toEqual([400, 'VALIDATION_ERROR']);
		}
		const forged = await call(emulator, 'GET', '/api/v1/contacts?cursor=not-a-cursor');
		expect(forged.status).toBe(400);
	});

	it('an emptyPage fault answers no items and a new cursor that continues where the request pointed', async () => {
		emulator.seed({ contacts: 6 });
		emulator.configure({ faults: [{ kind: 'emptyPage', path: '/api/v1/contacts', times: 2 }] });
		const first = await call(emulator, 'GET', '/api/v1/contacts?limit=4');
		const second = await call(emulator, 'GET', `/api/v1/contacts?limit=4&cursor=${first.json.nextCursor}`);
		expect([first.json.items, second.json.items]).toEqual([[], []]);
		expect(new Set([first.json.nextCursor, second.json.nextCursor]).size).toBe(2);
		const third = await call(emulator, 'GET', `/api/v1/contacts?limit=4&cursor=${second.json.nextCursor}`);
		const fourth = await call(emulator, 'GET', `/api/v1/contacts?limit=4&cursor=${third.json.nextCursor}`);
		const ids = [...third.json.items, ...fourth.json.items].map((row: { id: string }) => row.id);
		expect([ids, fourth.json.nextCursor]).toEqual([[...emulator.contacts.values()].map((row) => row.id), null]);
	});

	it('lists conversations with their contact, filtered by status', async () => {
		emulator.seed({ contacts: 3, conversations: 10 });
		const all = await pages('/api/v1/conversations', 4);
		expect(all.seen).toHaveLength(10);
		expect(all.requests).toBe(3);
		expect(all.seen[0]).toEqual({
			id: 'cv_000001',
			status: 'OPEN',
			createdAt: expect.any(String),
			lastMessageAt: expect.any(String),
			whatsappChannelId: 'ch_emulator_default',
			contact: { id: expect.stringMatching(/^ct_/), phone: expect.stringMatching(/^\+34/), name: expect.any(String), waId: null },
		});
		const closed = await pages('/api/v1/conversations?status=CLOSED', 100);
		expect(closed.seen.map((row) => row.status)).toEqual(['CLOSED', 'CLOSED']);
		expect((await call(emulator, 'GET', '/api/v1/conversations?status=open')).status).toBe(400);
	});

	it('counts outbound messages of a period by status, rates as fractions', async () => {
		emulator.seed({ messages: 10, messagesUntil: '2026-01-01T10:00:00.000Z' });
		// Messages one a minute back from 10:00, statuses in turn: PENDING, SENT, DELIVERED, READ, FAILED.
		const answer = await call(emulator, 'GET', '/api/v1/analytics?startDate=2026-01-01T09:55:00.000Z&endDate=2026-01-01T10:00:00.000Z');
		expect(answer.json).toEqual({
			period: { start: '2026-01-01T09:55:00.000Z', end: '2026-01-01T10:00:00.000Z' },
			outboundMessages: {
				total: 6,
				counts: { PENDING: 2, SENT: 1, DELIVERED: 1, READ: 1, FAILED: 1 },
				deliveryRate: 0.3333,
				readRate: 0.1667,
				failureRate: 0.1667,
			},
		});
	});

	it('refuses missing or reversed analytics dates', async () => {
		expect((await call(emulator, 'GET', '/api/v1/analytics?startDate=2026-01-01T00:00:00Z')).status).toBe(400);
		expect((await call(emulator, 'GET', '/api/v1/analytics?startDate=yesterday&endDate=2026-01-01T00:00:00Z')).status).toBe(400);
		const reversed = await call(emulator, 'GET', '/api/v1/analytics?startDate=2026-01-02T00:00:00Z&endDate=2026-01-01T00:00:00Z');
		expect(reversed.json.error.message).toMatch(/endDate/);
	});

	it('injects faults on the read routes too, by method', async () => {
		emulator.seed({ contacts: 2 });
		emulator.configure({ faults: [{ kind: 'status', status: 503, path: '/api/v1/contacts', method: 'GET' }] });
		expect((await call(emulator, 'POST', '/api/v1/contacts', { phone: '+34612345678' })).status).toBe(200);
		expect((await call(emulator, 'GET', '/api/v1/contacts')).status).toBe(503);
		expect((await call(emulator, 'GET', '/api/v1/contacts')).status).toBe(200);
	});
});
