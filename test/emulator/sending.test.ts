/* eslint-disable @n8n/community-nodes/no-restricted-globals -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
import { emulatorForTests } from '../support/emulator';

const KEY = 'flo_test_sending';
const PHONE = '+34612345678';

describe('Flowella emulator: the sending side', () => {
	const emulator = emulatorForTests([KEY]);

	/** One request to the emulator; `raw` sends a body as it is (for malformed JSON). */
	async function api(method: string, path: string, body?: unknown, options: { raw?: boolean; key?: string } = {}) {
		const response = await fetch(`${emulator.url}${path}`, {
			method,
			headers: { authorization: `Bearer ${options.key ?? KEY}`, 'content-type': 'application/json' },
			body: body === undefined ? undefined : options.raw ? String(body) : JSON.stringify(body),
		});
		const text = await response.text();
		return { status: response.status, json: text ? JSON.parse(text) : undefined };
	}
	const sendText = (body: Record<string, unknown>) => api('POST', '/api/v1/messages', body);
	const sendTemplate = (body: Record<string, unknown>) => api('POST', '/api/v1/templates/send', body);
	const optOut = (body: Record<string, unknown>) => api('POST', '/api/v1/opt-outs', body);
	const welcome = (phones: string[], extra: Record<string, unknown> = {}) => ({
		templateId: 'tpl_welcome',
		whatsappChannelId: 'ch_emulator_default',
		recipients: phones.map((phone, index) => ({ phone, bodyParameters: [`Name ${index}`] })),
		...extra,
	});
	const phones = (count: number) => Array.from({ length: count }, (_, index) => `+3461200${String(index).padStart(4, '0')}`);
	const error = (answer: { status: number; json?: { error?: { code?: string; message?: string } } }) => [answer.status, answer.json?.error?.code, answer.json?.error?.message];

	async function until(condition: () => boolean, timeoutMs = 5000) {
		const started = Date.now();
		while (!condition()) {
			if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
	}

	describe('POST /api/v1/messages', () => {
		it('sends on the default channel: contact, open conversation and an outbound message analytics counts', async () => {
			const answer = await sendText({ to: '34 612 345 678', text: 'Hello' });
			expect(answer.status).toBe(200);
			expect(answer.json).toEqual({
				id: expect.stringMatching(/^msg_/),
				conversationId: expect.stringMatching(/^cv_/),
				contactId: expect.stringMatching(/^ct_/),
				metaMessageId: expect.stringMatching(/^wamid\./),
			});
			expect(emulator.messages).toEqual([
				{
					...answer.json,
					direction: 'outbound',
					status: 'SENT',
					createdAt: expect.any(String),
					to: PHONE,
					text: 'Hello',
					whatsappChannelId: 'ch_emulator_default',
					jobId: null,
				},
			]);
			expect(emulator.contacts.get(PHONE)).toMatchObject({ id: answer.json.contactId, name: null, isOptedOut: false });
			expect(emulator.conversations).toEqual([
				expect.objectContaining({ id: answer.json.conversationId, status: 'OPEN', whatsappChannelId: 'ch_emulator_default', contact: expect.objectContaining({ phone: PHONE }) }),
			]);

			const second = await sendText({ to: PHONE, text: 'Again', whatsappChannelId: 'ch_emulator_default' });
			expect(second.json.conversationId).toBe(answer.json.conversationId);
			const other = await sendText({ to: PHONE, text: 'Other number', whatsappChannelId: 'ch_emulator_second' });
			expect(other.json.conversationId).not.toBe(answer.json.conversationId);
			expect(other.json.contactId).toBe(answer.json.contactId);

			const now = Date.now();
			const stats = await api('GET', `/api/v1/analytics?startDate=${new Date(now - 60_000).toISOString()}&endDate=${new Date(now + 60_000).toISOString()}`);
			expect(stats.json.outboundMessages).toMatchObject({ total: 3, counts: { SENT: 3 } });
			expect(emulator.messagesTo(PHONE).map((message) => message.text)).toEqual(['Hello', 'Again', 'Other number']);
		});

		it('keeps the name of a known contact', async () => {
			await api('POST', '/api/v1/contacts', { phone: PHONE, name: 'Ana' });
			const answer = await sendText({ to: PHONE, text: 'Hi Ana' });
			expect(emulator.contacts.get(PHONE)).toMatchObject({ id: answer.json.contactId, name: 'Ana' });
		});

		it.each([
			[{ text: 'Hi' }, 'to: Required'],
			[{ to: 34612345678, text: 'Hi' }, 'to: Required string'],
			[{ to: '+1', text: 'Hi' }, 'to: must be 3 to 32'],
			[{ to: `+${'1'.repeat(32)}`, text: 'Hi' }, 'to: must be 3 to 32'],
			[{ to: '+0612345678', text: 'Hi' }, 'to: must be an E.164'],
			[{ to: '+34 612-345-678', text: 'Hi' }, 'to: must be an E.164'],
			[{ to: PHONE }, 'text: Required'],
			[{ to: PHONE, text: '' }, 'text: must be 1 to 4096'],
			[{ to: PHONE, text: 'x'.repeat(4097) }, 'text: must be 1 to 4096'],
			[{ to: PHONE, text: 'Hi', whatsappChannelId: 5 }, 'whatsappChannelId'],
			[{ to: PHONE, text: 'Hi', whatsappChannelId: '' }, 'whatsappChannelId'],
			[{ to: PHONE, text: 'Hi', media: 'x' }, 'Unrecognized key: "media"'],
		])('answers 400 VALIDATION_ERROR for %j', async (body, messagePart) => {
			const answer = await sendText(body);
			expect(answer.status).toBe(400);
			expect(answer.json.error.code).toBe('VALIDATION_ERROR');
			expect(answer.json.error.message).toContain(messagePart);
			expect(emulator.messages).toHaveLength(0);
			expect(emulator.handled).toHaveLength(0);
		});

		it('answers 400 for a malformed or non-object body', async () => {
			expect(error(await api('POST', '/api/v1/messages', '{"to":', { raw: true }))).toEqual([400, 'VALIDATION_ERROR', 'Malformed JSON body']);
			expect(error(await api('POST', '/api/v1/messages', [PHONE]))).toEqual([400, 'VALIDATION_ERROR', 'Body must be a JSON object']);
		});

		it('answers 404 for an unknown channel and 403 for one without Meta', async () => {
			expect(error(await sendText({ to: PHONE, text: 'Hi', whatsappChannelId: 'ch_nope' }))).toEqual([404, 'NOT_FOUND', 'WhatsApp channel not found']);
			const disconnected = await sendText({ to: PHONE, text: 'Hi', whatsappChannelId: 'ch_emulator_disconnected' });
			expect(error(disconnected).slice(0, 2)).toEqual([403, 'META_NOT_CONNECTED']);
			expect(emulator.messages).toHaveLength(0);
			expect(emulator.contacts.size).toBe(0);
		});

		it('answers 401 without a valid key and 429 over the rate limit, handling nothing', async () => {
			expect((await api('POST', '/api/v1/messages', { to: PHONE, text: 'Hi' }, { key: 'flo_wrong' })).status).toBe(401);
			emulator.configure({ rateLimit: { ratePerSec: 0.001, burst: 1 } });
			expect((await sendText({ to: PHONE, text: 'one' })).status).toBe(200);
			expect(error(await sendText({ to: PHONE, text: 'two' }))).toEqual([429, 'RATE_LIMITED', 'Too many requests']);
			expect(emulator.handled.map((entry) => entry.key)).toEqual([`${PHONE} one`]);
		});
	});

	describe('billing', () => {
		it('answers 402 on sends when billing is off; reads and opt-outs keep working', async () => {
			emulator.configure({ billing: false });
			const payment = [402, 'PAYMENT_REQUIRED', 'Your subscription does not cover this action'];
			expect(error(await sendText({ to: PHONE, text: 'Hi' }))).toEqual(payment);
			expect(error(await sendTemplate(welcome([PHONE])))).toEqual(payment);
			expect((await api('GET', '/api/v1/contacts')).status).toBe(200);
			expect((await api('GET', '/api/v1/conversations')).status).toBe(200);
			const now = new Date().toISOString();
			expect((await api('GET', `/api/v1/analytics?startDate=${now}&endDate=${now}`)).status).toBe(200);
			expect((await optOut({ action: 'set', whatsappChannelId: 'ch_emulator_default', phone: PHONE })).status).toBe(200);
			expect(emulator.messages).toHaveLength(0);
			expect(emulator.jobs).toHaveLength(0);
			expect(emulator.handled.map((entry) => entry.kind)).toEqual(['optOut']);
		});

		it('is switched over HTTP and back on by reset()', async () => {
			await fetch(`${emulator.url}/__emulator/config`, { method: 'POST', body: JSON.stringify({ billing: false }) });
			expect((await sendText({ to: PHONE, text: 'Hi' })).status).toBe(402);
			emulator.reset();
			expect((await sendText({ to: PHONE, text: 'Hi' })).status).toBe(200);
		});
	});

	describe('POST /api/v1/opt-outs', () => {
		const body = { action: 'set', whatsappChannelId: 'ch_emulator_default', phone: PHONE, reason: 'Asked by phone' };

		it('marks the contact, records the opt-out per channel and keeps its id when set again', async () => {
			const first = await optOut(body);
			expect(first).toEqual({ status: 200, json: { active: true, optOutId: expect.stringMatching(/^oo_/), revokedAt: null } });
			expect(emulator.contacts.get(PHONE)?.isOptedOut).toBe(true);
			const again = await optOut({ ...body, phone: '34612345678', reason: undefined });
			expect(again.json.optOutId).toBe(first.json.optOutId);
			expect([...emulator.optOuts.entries()]).toEqual([
				[`ch_emulator_default ${PHONE}`, { id: first.json.optOutId, phone: PHONE, whatsappChannelId: 'ch_emulator_default', reason: 'Asked by phone', createdAt: expect.any(String) }],
			]);
			expect(emulator.handled).toEqual([
				{ kind: 'optOut', seq: 1, key: `ch_emulator_default ${PHONE}`, id: first.json.optOutId },
				{ kind: 'optOut', seq: 2, key: `ch_emulator_default ${PHONE}`, id: first.json.optOutId },
			]);
		});

		it('blocks Send Text on that channel only', async () => {
			await optOut(body);
			expect(error(await sendText({ to: PHONE, text: 'Hi' }))).toEqual([403, 'CONTACT_OPTED_OUT', 'The contact has opted out of WhatsApp messages on this channel']);
			expect((await sendText({ to: PHONE, text: 'Hi', whatsappChannelId: 'ch_emulator_second' })).status).toBe(200);
			expect(emulator.messagesTo(PHONE).map((message) => message.whatsappChannelId)).toEqual(['ch_emulator_second']);
		});

		it.each([
			[{ ...body, action: 'clear' }, 400, 'action: must be "set"'],
			[{ ...body, action: undefined }, 400, 'action'],
			[{ ...body, whatsappChannelId: undefined }, 400, 'whatsappChannelId: Required'],
			[{ ...body, phone: undefined }, 400, 'phone: Required'],
			[{ ...body, phone: '12' }, 400, 'phone: must be 3 to 32'],
			[{ ...body, phone: 'abc' }, 400, 'phone: must be an E.164'],
			[{ ...body, reason: 'x'.repeat(501) }, 400, 'reason'],
			[{ ...body, until: '2026-01-01' }, 400, 'Unrecognized key: "until"'],
			[{ ...body, whatsappChannelId: 'ch_nope' }, 404, 'WhatsApp channel not found'],
		])('refuses %j', async (request, status, messagePart) => {
			const answer = await optOut(request);
			expect(answer.status).toBe(status);
			expect(answer.json.error.message).toContain(messagePart);
			expect(emulator.optOuts.size).toBe(0);
		});

		it('takes a reason of exactly 500 characters', async () => {
			expect((await optOut({ ...body, reason: 'x'.repeat(500) })).status).toBe(200);
		});
	});

	describe("Meta's 24-hour window for free-form texts", () => {
		const rejected = [400, 'META_REJECTED', '(#131047) Re-engagement message: more than 24 hours have passed since the recipient last replied to the sender number'];

		it('is off by default', async () => {
			expect((await sendText({ to: PHONE, text: 'Hi' })).status).toBe(200);
		});

		it('refuses a contact who never wrote, or wrote more than 24 hours ago', async () => {
			emulator.configure({ freeFormWindowHours: 24 });
			expect(error(await sendText({ to: PHONE, text: 'Hi' }))).toEqual(rejected);
			emulator.seed({ inbound: [{ phone: PHONE, at: new Date(Date.now() - 25 * 3_600_000).toISOString() }] });
			expect(error(await sendText({ to: PHONE, text: 'Hi' }))).toEqual(rejected);
			expect(emulator.handled).toHaveLength(0);
		});

		it('allows a contact who wrote within the window, on the channel written to', async () => {
			emulator.configure({ freeFormWindowHours: 24 });
			emulator.seed({ inbound: [{ phone: PHONE, at: new Date(Date.now() - 23 * 3_600_000).toISOString() }] });
			expect((await sendText({ to: PHONE, text: 'Hi' })).status).toBe(200);
			expect(error(await sendText({ to: PHONE, text: 'Hi', whatsappChannelId: 'ch_emulator_second' }))).toEqual(rejected);
		});

		it('opens the window from POST /__emulator/inbound, which stores the inbound message', async () => {
			emulator.configure({ freeFormWindowHours: 24 });
			const inbound = await fetch(`${emulator.url}/__emulator/inbound`, { method: 'POST', body: JSON.stringify({ phone: '34612345678', text: 'Hola' }) });
			expect(inbound.status).toBe(200);
			expect(emulator.messages).toEqual([
				expect.objectContaining({ direction: 'inbound', from: PHONE, text: 'Hola', whatsappChannelId: 'ch_emulator_default', jobId: null }),
			]);
			expect(emulator.contacts.has(PHONE)).toBe(true);
			const answer = await sendText({ to: PHONE, text: 'Gracias' });
			expect(answer.status).toBe(200);
			expect(answer.json.conversationId).toBe(emulator.messages[0].conversationId);
			const bad = await fetch(`${emulator.url}/__emulator/inbound`, { method: 'POST', body: JSON.stringify({ phone: 'nope' }) });
			expect(bad.status).toBe(400);
		});
	});

	describe('POST /api/v1/templates/send', () => {
		it('queues a PENDING job and answers as Flowella does', async () => {
			const before = Date.now();
			const answer = await sendTemplate(welcome([PHONE, '34 612 345 679']));
			expect(answer).toEqual({ status: 200, json: { id: expect.stringMatching(/^job_/), status: 'PENDING', templateId: 'tpl_welcome', scheduledFor: expect.any(String) } });
			expect(Date.parse(answer.json.scheduledFor)).toBeGreaterThanOrEqual(before - 1);
			expect(emulator.jobs).toEqual([
				expect.objectContaining({
					id: answer.json.id,
					whatsappChannelId: 'ch_emulator_default',
					throttlePerHour: 1000,
					recipients: [
						{ phone: PHONE, contactId: null, bodyParameters: ['Name 0'], buttonParameters: [] },
						{ phone: '+34612345679', contactId: null, bodyParameters: ['Name 1'], buttonParameters: [] },
					],
				}),
			]);
			expect(emulator.handled).toEqual([{ kind: 'job', seq: 1, key: answer.json.id, id: answer.json.id }]);
		});

		it.each([
			[{ templateId: undefined }, 'templateId: Required'],
			[{ templateId: '' }, 'templateId'],
			[{ templateId: 'x'.repeat(129) }, 'templateId'],
			[{ whatsappChannelId: undefined }, 'whatsappChannelId: Required'],
			[{ recipients: undefined }, 'recipients: Required'],
			[{ recipients: [] }, 'recipients: must hold 1 to 50000'],
			[{ recipients: [{ phone: PHONE, bodyParameters: ['a'], name: 'Ana' }] }, 'Unrecognized key: "recipients[0].name"'],
			[{ recipients: [{ bodyParameters: ['a'] }] }, 'recipients[0].phone: Required'],
			[{ recipients: [{ phone: PHONE, bodyParameters: ['a'] }, { phone: 'x', bodyParameters: ['b'] }] }, 'recipients[1].phone'],
			[{ recipients: [{ phone: PHONE, bodyParameters: [1] }] }, 'recipients[0].bodyParameters'],
			[{ recipients: [{ phone: PHONE, bodyParameters: ['a'], buttonParameters: ['x'] }] }, 'recipients[0].buttonParameters'],
			[{ recipients: [{ phone: PHONE, bodyParameters: ['a'], contactId: 3 }] }, 'recipients[0].contactId'],
			[{ headerMedia: 'https://example.com/a.png' }, 'headerMedia'],
			[{ headerMedia: [] }, 'headerMedia'],
			[{ scheduledAt: 'tomorrow' }, 'scheduledAt'],
			[{ scheduledAt: '2030-01-01T10:00:00' }, 'scheduledAt'],
			[{ throttlePerHour: 0 }, 'throttlePerHour'],
			[{ throttlePerHour: 100_001 }, 'throttlePerHour'],
			[{ throttlePerHour: 1.5 }, 'throttlePerHour'],
			[{ priority: 'high' }, 'Unrecognized key: "priority"'],
			[{ templateId: '1234567890123456' }, 'templateWabaId: Required'],
		])('answers 400 VALIDATION_ERROR for %j', async (change, messagePart) => {
			const answer = await sendTemplate({ ...welcome([PHONE]), ...change });
			expect(answer.status).toBe(400);
			expect(answer.json.error.code).toBe('VALIDATION_ERROR');
			expect(answer.json.error.message).toContain(messagePart);
			expect(emulator.jobs).toHaveLength(0);
		});

		it('takes 50,000 recipients and refuses 50,001', async () => {
			const many = (count: number) => ({
				...welcome([]),
				recipients: Array.from({ length: count }, (_, index) => ({ phone: `+3460${String(index).padStart(7, '0')}`, bodyParameters: ['x'] })),
			});
			expect((await sendTemplate(many(50_001))).status).toBe(400);
			expect((await sendTemplate(many(50_000))).status).toBe(200);
			await emulator.settleJobs();
			expect(emulator.messages).toHaveLength(50_000);
			expect(emulator.duplicates()).toEqual([]);
		});

		it('takes the optional fields: contactId, buttonParameters, headerMedia, scheduledAt null, throttlePerHour', async () => {
			const answer = await sendTemplate({
				templateId: 'tpl_order_update',
				whatsappChannelId: 'ch_emulator_second',
				recipients: [{ phone: PHONE, contactId: 'ct_x', bodyParameters: ['A-1', 'shipped'], buttonParameters: [{ type: 'url', text: 'A-1' }] }],
				headerMedia: { type: 'image', link: 'https://example.com/a.png' },
				scheduledAt: null,
				throttlePerHour: 100_000,
			});
			expect(answer.status).toBe(200);
			expect(emulator.jobs[0]).toMatchObject({ throttlePerHour: 100_000, headerMedia: { type: 'image' }, scheduledAt: null });
		});

		it('answers 404 naming an unknown template or channel, 403 for a channel without Meta', async () => {
			const unknownTemplate = await sendTemplate({ ...welcome([PHONE]), templateId: 'tpl_missing' });
			expect(error(unknownTemplate).slice(0, 2)).toEqual([404, 'NOT_FOUND']);
			expect(unknownTemplate.json.error.message).toContain('tpl_missing');
			expect(error(await sendTemplate(welcome([PHONE], { whatsappChannelId: 'ch_nope' })))).toEqual([404, 'NOT_FOUND', 'WhatsApp channel not found']);
			expect(error(await sendTemplate(welcome([PHONE], { whatsappChannelId: 'ch_emulator_disconnected' }))).slice(0, 2)).toEqual([403, 'META_NOT_CONNECTED']);
			expect(emulator.jobs).toHaveLength(0);
		});

		it("answers 400 naming the recipient whose body parameters do not match the template's count", async () => {
			const answer = await sendTemplate({
				templateId: 'tpl_order_update',
				whatsappChannelId: 'ch_emulator_default',
				recipients: [
					{ phone: PHONE, bodyParameters: ['A-1', 'shipped'] },
					{ phone: '+34612345679', bodyParameters: ['A-2'] },
				],
			});
			expect(error(answer)).toEqual([400, 'VALIDATION_ERROR', 'recipients[1].bodyParameters: template tpl_order_update takes 2 body parameter(s), got 1']);
			const none = await sendTemplate({ templateId: 'tpl_no_params', whatsappChannelId: 'ch_emulator_default', recipients: [{ phone: PHONE }] });
			expect(none.status).toBe(200);
			const missing = await sendTemplate({ ...welcome([]), recipients: [{ phone: PHONE }] });
			expect(missing.json.error.message).toBe('recipients[0].bodyParameters: template tpl_welcome takes 1 body parameter(s), got 0');
		});

		it('needs the WhatsApp Business Account of a numeric Meta template id', async () => {
			const meta = { ...welcome([PHONE]), templateId: '1234567890123456' };
			expect(error(await sendTemplate(meta)).slice(0, 2)).toEqual([400, 'VALIDATION_ERROR']);
			const wrong = await sendTemplate({ ...meta, templateWabaId: 'waba_other' });
			expect(error(wrong).slice(0, 2)).toEqual([404, 'NOT_FOUND']);
			expect(wrong.json.error.message).toContain('waba_other');
			expect((await sendTemplate({ ...meta, templateWabaId: 'waba_emulator' })).json.status).toBe('PENDING');
		});
	});

	describe('job expansion', () => {
		it('turns every recipient into an outbound template message, then completes', async () => {
			const recipients = phones(20);
			const answer = await sendTemplate(welcome(recipients));
			await until(() => emulator.jobs[0].status === 'COMPLETED');
			expect(emulator.messages).toHaveLength(20);
			expect(emulator.messagesTo(recipients[3])).toEqual([
				{
					id: expect.stringMatching(/^msg_/),
					direction: 'outbound',
					status: 'SENT',
					createdAt: expect.any(String),
					to: recipients[3],
					text: null,
					whatsappChannelId: 'ch_emulator_default',
					contactId: emulator.contacts.get(recipients[3])?.id,
					conversationId: expect.stringMatching(/^cv_/),
					metaMessageId: expect.stringMatching(/^wamid\./),
					jobId: answer.json.id,
					templateId: 'tpl_welcome',
					bodyParameters: ['Name 3'],
				},
			]);
			expect(emulator.contacts.size).toBe(20);
			expect(emulator.conversations).toHaveLength(20);
		});

		it('paces messages at throttlePerHour on the compressed clock', async () => {
			// 36 an hour is one every 100 s; 1000 times faster, one every 100 ms.
			emulator.configure({ jobSpeedup: 1000 });
			const started = Date.now();
			await sendTemplate(welcome(phones(4), { throttlePerHour: 36 }));
			await until(() => emulator.messages.length >= 1);
			expect(emulator.jobs[0].status).toBe('PROCESSING');
			expect(emulator.messages.length).toBeLessThan(4);
			await until(() => emulator.jobs[0].status === 'COMPLETED');
			const times = emulator.messages.map((message) => Date.parse(message.createdAt));
			// Three intervals of 100 ms: not a burst, and not seconds apart.
			expect(times[3] - times[0]).toBeGreaterThanOrEqual(200);
			expect(Date.now() - started).toBeLessThan(3000);
		});

		it('a throttle of 100,000 an hour sends thousands in well under a second', async () => {
			const started = Date.now();
			await sendTemplate(welcome(phones(2000), { throttlePerHour: 100_000 }));
			await until(() => emulator.jobs[0].status === 'COMPLETED');
			// 2,000 at 100,000/h is 72 s of Flowella time: 20 ms at 3600 times faster.
			expect(Date.now() - started).toBeLessThan(1500);
			expect(emulator.messages).toHaveLength(2000);
		});

		it('starts a scheduled job at scheduledAt (compressed from now); settle-jobs finishes it at once', async () => {
			const scheduledAt = new Date(Date.now() + 3_600_000).toISOString();
			const answer = await sendTemplate(welcome(phones(3), { scheduledAt }));
			expect(answer.json).toMatchObject({ status: 'PENDING', scheduledFor: scheduledAt });
			// An hour ahead at 3600 times faster: a second of real time.
			await new Promise((resolve) => setTimeout(resolve, 300));
			expect(emulator.jobs[0].status).toBe('PENDING');
			expect(emulator.messages).toHaveLength(0);
			const settled = await fetch(`${emulator.url}/__emulator/settle-jobs`, { method: 'POST' });
			expect(await settled.json()).toEqual({ ok: true, jobs: 1 });
			expect(emulator.jobs[0].status).toBe('COMPLETED');
			expect(emulator.messages).toHaveLength(3);
		});

		it('starts a job scheduled an hour ahead about a second later', async () => {
			const sent = Date.now();
			await sendTemplate(welcome(phones(1), { scheduledAt: new Date(Date.now() + 3_600_000).toISOString() }));
			await until(() => emulator.jobs[0].status === 'COMPLETED', 5000);
			const startedAfter = Date.parse(emulator.messages[0].createdAt) - sent;
			expect(startedAfter).toBeGreaterThanOrEqual(900);
			expect(startedAfter).toBeLessThan(3000);
		});

		it('fails the message of a recipient opted out on the job channel instead of skipping it', async () => {
			const [optedOut, other] = phones(2);
			await optOut({ action: 'set', whatsappChannelId: 'ch_emulator_default', phone: optedOut });
			await sendTemplate(welcome([optedOut, other]));
			await emulator.settleJobs();
			expect(emulator.messagesTo(optedOut)).toEqual([expect.objectContaining({ status: 'FAILED', metaMessageId: null, jobId: emulator.jobs[0].id })]);
			expect(emulator.messagesTo(other)).toEqual([expect.objectContaining({ status: 'SENT' })]);
			const now = Date.now();
			const stats = await api('GET', `/api/v1/analytics?startDate=${new Date(now - 60_000).toISOString()}&endDate=${new Date(now + 60_000).toISOString()}`);
			expect(stats.json.outboundMessages).toMatchObject({ total: 2, counts: { SENT: 1, FAILED: 1 } });
		});

		it('stops pending jobs on reset()', async () => {
			emulator.configure({ jobSpeedup: 100 });
			await sendTemplate(welcome(phones(2), { throttlePerHour: 3600 }));
			await until(() => emulator.messages.length >= 1);
			emulator.reset();
			await new Promise((resolve) => setTimeout(resolve, 60));
			expect(emulator.messages).toHaveLength(0);
			expect(emulator.jobs).toHaveLength(0);
		});
	});

	describe('counting for never-twice tests', () => {
		it('logs a send broken after the handler ran (may have been sent), not one broken before', async () => {
			emulator.configure({
				faults: [
					{ kind: 'status', status: 503, path: '/api/v1/messages' },
					{ kind: 'status', status: 500, path: '/api/v1/messages', after: true },
					{ kind: 'reset', path: '/api/v1/templates/send', after: true },
					{ kind: 'html', path: '/api/v1/opt-outs' },
				],
			});
			expect((await sendText({ to: PHONE, text: 'before' })).status).toBe(503);
			expect((await sendText({ to: PHONE, text: 'after' })).status).toBe(500);
			await expect(sendTemplate(welcome([PHONE]))).rejects.toThrow();
			const opt = await fetch(`${emulator.url}/api/v1/opt-outs`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify({ action: 'set', whatsappChannelId: 'ch_emulator_default', phone: PHONE }) });
			expect(opt.status).toBe(502);
			expect(emulator.handled).toEqual([
				{ kind: 'message', seq: 2, key: `${PHONE} after`, id: emulator.messages[0].id },
				{ kind: 'job', seq: 3, key: emulator.jobs[0].id, id: emulator.jobs[0].id },
			]);
			expect(emulator.optOuts.size).toBe(0);
			expect(emulator.requests).toHaveLength(4);
		});

		it("targets a fault at one recipient of Send Text by the message's to", async () => {
			emulator.configure({ faults: [{ kind: 'status', status: 503, phone: '+34612345679' }] });
			expect((await sendText({ to: PHONE, text: 'Hi' })).status).toBe(200);
			expect((await sendText({ to: '+34612345679', text: 'Hi' })).status).toBe(503);
			expect((await sendText({ to: '+34612345679', text: 'Hi' })).status).toBe(200);
		});

		it('finds a recipient who got the same text or the same template twice', async () => {
			await sendText({ to: PHONE, text: 'Hi' });
			await sendText({ to: PHONE, text: 'Hi there' });
			await sendText({ to: '+34612345679', text: 'Hi' });
			expect(emulator.duplicates()).toEqual([]);
			await sendText({ to: PHONE, text: 'Hi', whatsappChannelId: 'ch_emulator_second' });
			expect(emulator.duplicates()).toEqual([{ phone: PHONE, text: 'Hi', count: 2 }]);

			emulator.reset();
			await sendTemplate(welcome([PHONE], { scheduledAt: new Date(Date.now() + 86_400_000).toISOString() }));
			await sendTemplate({ ...welcome([PHONE]), recipients: [{ phone: PHONE, bodyParameters: ['Someone else'] }] });
			expect(emulator.duplicates()).toEqual([]);
			// A job created twice shows before its clock runs, and still after it ran.
			await sendTemplate(welcome([PHONE], { scheduledAt: new Date(Date.now() + 86_400_000).toISOString() }));
			const expected = [{ phone: PHONE, templateId: 'tpl_welcome', bodyParameters: ['Name 0'], count: 2 }];
			expect(emulator.duplicates()).toEqual(expected);
			await emulator.settleJobs();
			expect(emulator.duplicates()).toEqual(expected);
			expect(await (await fetch(`${emulator.url}/__emulator/duplicates`)).json()).toEqual(expected);
		});

		it('serves messages, jobs, opt-outs, handled and stats under /__emulator/', async () => {
			await sendText({ to: PHONE, text: 'Hi' });
			await sendTemplate(welcome([PHONE]));
			await optOut({ action: 'set', whatsappChannelId: 'ch_emulator_second', phone: PHONE });
			await emulator.settleJobs();
			const get = async (path: string): Promise<unknown> => (await fetch(`${emulator.url}/__emulator/${path}`)).json();
			expect(await get('messages')).toHaveLength(2);
			expect(await get('jobs')).toEqual([expect.objectContaining({ status: 'COMPLETED', recipients: [expect.objectContaining({ phone: PHONE })] })]);
			expect(await get('opt-outs')).toEqual([expect.objectContaining({ phone: PHONE, whatsappChannelId: 'ch_emulator_second' })]);
			expect(((await get('handled')) as Array<{ kind: string }>).map((entry) => entry.kind)).toEqual(['message', 'job', 'optOut']);
			expect(await get('stats')).toMatchObject({ requests: 3, contacts: 1, messages: 2, jobs: 1, optOuts: 1 });
		});

		it('reset() forgets what was sent and restores the default channels and templates', async () => {
			emulator.channels.get('ch_emulator_default')!.metaConnected = false;
			emulator.templates.delete('tpl_welcome');
			emulator.configure({ freeFormWindowHours: 1, jobSpeedup: 1 });
			emulator.reset();
			expect([...emulator.channels.keys()]).toEqual(['ch_emulator_default', 'ch_emulator_second', 'ch_emulator_disconnected']);
			expect([...emulator.templates.keys()]).toEqual(['tpl_welcome', 'tpl_order_update', 'tpl_no_params', '1234567890123456']);
			expect(emulator).toMatchObject({ billing: true, freeFormWindowHours: null, jobSpeedup: 3600, handled: [], jobs: [] });
			expect((await sendText({ to: PHONE, text: 'Hi' })).status).toBe(200);
			expect((await sendTemplate(welcome([PHONE]))).status).toBe(200);
			expect((await optOut({ action: 'set', whatsappChannelId: 'ch_emulator_default', phone: PHONE })).status).toBe(200);
			emulator.reset();
			expect(emulator.optOuts.size).toBe(0);
			expect(emulator.handled).toEqual([]);
			expect(emulator.messages).toEqual([]);
		});
	});
});
