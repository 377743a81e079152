/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// The trigger's webhook() as n8n calls it (trigger-calls.ts). Deliveries are built by the
// emulator's sender, which shares no code with the node.
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, IDataObject } from 'n8n-workflow';

import { buildDelivery, sampleEvent, tamper } from '../../../emulator/webhooks';
import { deliveryKeys } from '../../../nodes/FlowellaTrigger/dedup';
import { call, freshProcess, runStep, SECRET, signed, started, type TriggerModule } from './trigger-calls';

describe('FlowellaTrigger webhook()', () => {
	it('starts the workflow with the event exactly as received, plus type and delivery id', async () => {
		const module = freshProcess();
		const body = { event: 'message.received', data: { id: 'msg_1', text: 'Hola', nested: { list: [1, 2] } }, extra: null };
		const delivery = signed('message.received', { body, deliveryId: 'dlv_1' });
		const outcome = await call(module, delivery);
		expect(outcome.status).toBeUndefined();
		expect(started(outcome)).toEqual([{ ...body, deliveryId: 'dlv_1' }]);

		// A body without the type takes it from X-Flowella-Event.
		const bare = signed('message.read', { body: { data: { id: 'msg_2' } }, deliveryId: 'dlv_2' });
		expect(started(await call(module, bare))).toEqual([{ data: { id: 'msg_2' }, event: 'message.read', deliveryId: 'dlv_2' }]);
	});

	it('verifies the raw bytes: whitespace and key order as sent, not re-serialised', async () => {
		const raw = '{\n  "data": {"id": "msg_raw", "text": "a\\u00e9"},\n  "event": "message.received"\n}\n';
		const delivery = buildDelivery({ secret: SECRET, type: 'message.received', raw });
		const outcome = await call(freshProcess(), delivery);
		expect(started(outcome)).toHaveLength(1);
		expect(started(outcome)[0].data).toEqual({ id: 'msg_raw', text: 'aé' });
	});

	it.each([
		['forge', 401, /does not match/],
		['unsigned', 401, /Missing X-Flowella-Signature/],
		['corrupt', 401, /does not match/],
		['stale', 401, /5 minutes/],
		['future', 401, /5 minutes/],
		['wrongContentType', 415, /application\/json/],
		['notJson', 400, /not valid JSON/],
	])('answers a %s delivery %i and starts nothing', async (mode, status, reason) => {
		const warnings: string[] = [];
		const outcome = await call(freshProcess(), tamper(signed(), mode, { secret: SECRET }), { warnings });
		expect(outcome.status).toBe(status);
		expect(outcome.result).toEqual({ noWebhookResponse: true });
		expect((outcome.body as { error: string }).error).toMatch(reason);
		expect(warnings.join('\n')).toMatch(reason);
		expect(JSON.stringify(outcome.body) + warnings.join('')).not.toContain(SECRET);
	});

	it('accepts a valid signature without a timestamp', async () => {
		const outcome = await call(freshProcess(), tamper(signed(), 'noTimestamp', { secret: SECRET }));
		expect(started(outcome)).toHaveLength(1);
	});

	it('refuses everything when the signature was made with another secret, even a valid-looking one', async () => {
		const outcome = await call(freshProcess(), signed(), { secret: 'whsec_the_other_webhooks_secret' });
		expect(outcome.status).toBe(401);
	});

	it('trims whitespace a copy added around the secret', async () => {
		const outcome = await call(freshProcess(), signed(), { secret: `  ${SECRET}\n` });
		expect(started(outcome)).toHaveLength(1);
	});

	it('answers 200 to an event type that is not selected, and starts nothing', async () => {
		const outcome = await call(freshProcess(), signed('message.delivered'), { events: ['message.received'] });
		expect(outcome.status).toBe(200);
		expect(outcome.body).toMatchObject({ started: false, reason: 'event type not selected' });
		expect(outcome.result.workflowData).toBeUndefined();
	});

	it('lets webhook.test through unless test events are off, whatever the selected events', async () => {
		const module = freshProcess();
		expect(started(await call(module, signed('webhook.test'), { events: ['message.received'] }))).toHaveLength(1);
		const off = await call(module, signed('webhook.test'), { events: ['*'], includeTestEvents: false });
		expect(off.status).toBe(200);
		expect(off.result.workflowData).toBeUndefined();
	});

	it('answers 200 to a repeated delivery id and starts it once', async () => {
		const module = freshProcess();
		const delivery = signed('message.received', { deliveryId: 'dlv_repeat' });
		expect(started(await call(module, delivery))).toHaveLength(1);
		const again = await call(module, delivery);
		expect(again.status).toBe(200);
		expect(again.body).toMatchObject({ started: false, reason: 'duplicate delivery' });
	});

	it('without a delivery id, de-duplicates on event type + data.id (sent, delivered, read of one message are three events)', async () => {
		const module = freshProcess();
		const withoutId = (type: string) => {
			const delivery = signed(type, { body: { event: type, data: { id: 'msg_same' } } });
			delete (delivery.headers as Record<string, string>)['x-flowella-delivery'];
			return delivery;
		};
		for (const type of ['message.sent', 'message.delivered', 'message.read']) expect(started(await call(module, withoutId(type)))).toHaveLength(1);
		expect(started(await call(module, withoutId('message.read')))).toHaveLength(0);
	});

	it('starts one of many concurrent copies of a delivery', async () => {
		const module = freshProcess();
		const staticData: IDataObject = {};
		const delivery = signed('message.received', { deliveryId: 'dlv_concurrent' });
		const outcomes = await Promise.all(Array.from({ length: 20 }, () => call(module, delivery, { staticData })));
		expect(outcomes.filter((outcome) => started(outcome).length === 1)).toHaveLength(1);
		expect(outcomes.filter((outcome) => outcome.status === 200)).toHaveLength(19);
	});

	it('keeps every key in memory although each request gets its own copy of static data (as n8n loads it per request)', async () => {
		const module = freshProcess();
		// Every request starts from the same stale static data and writes its own copy back.
		await Promise.all(Array.from({ length: 10 }, (_, index) => call(module, signed('message.received', { deliveryId: `dlv_c${index}` }), { staticData: {} })));
		for (let index = 0; index < 10; index += 1) {
			expect(started(await call(module, signed('message.received', { deliveryId: `dlv_c${index}` }), { staticData: {} }))).toHaveLength(0);
		}
	});

	describe('replays of a captured signed request (the headers are not signed)', () => {
		/** The captured request with its unsigned headers changed: `undefined` removes one. */
		const replayed = (delivery: ReturnType<typeof signed>, headers: Record<string, string | undefined>) => {
			const copy = { raw: delivery.raw, headers: { ...delivery.headers } as Record<string, string> };
			for (const [name, value] of Object.entries(headers)) {
				if (value === undefined) delete copy.headers[name];
				else copy.headers[name] = value;
			}
			return copy;
		};
		const fresh = () => String(Math.floor(Date.now() / 1000));

		it('starts nothing for the same signed body with a new delivery id and a fresh timestamp', async () => {
			const module = freshProcess();
			const captured = signed('message.received', { deliveryId: 'dlv_captured' });
			expect(started(await call(module, captured))).toHaveLength(1);
			const replay = await call(module, replayed(captured, { 'x-flowella-delivery': 'dlv_attacker_1', 'x-flowella-timestamp': fresh() }));
			expect(replay.status).toBe(200);
			expect(replay.body).toMatchObject({ started: false, reason: 'duplicate delivery' });
		});

		it('starts nothing for the same signed body with the delivery and timestamp headers removed', async () => {
			const module = freshProcess();
			const captured = signed('message.received', { deliveryId: 'dlv_captured_2' });
			expect(started(await call(module, captured))).toHaveLength(1);
			expect(started(await call(module, replayed(captured, { 'x-flowella-delivery': undefined, 'x-flowella-timestamp': undefined })))).toHaveLength(0);
			expect(started(await call(module, replayed(captured, { 'x-flowella-delivery': undefined })))).toHaveLength(0);
		});

		it('starts nothing for a body without type or data.id replayed under another event header or delivery id', async () => {
			const module = freshProcess();
			const captured = buildDelivery({ secret: SECRET, type: 'message.received', raw: '{"note":"no type, no data"}', deliveryId: 'dlv_bare' });
			expect(started(await call(module, captured))).toHaveLength(1);
			for (const headers of [{ 'x-flowella-event': 'message.read' }, { 'x-flowella-delivery': 'dlv_other' }, { 'x-flowella-delivery': undefined, 'x-flowella-event': undefined }]) {
				expect(started(await call(module, replayed(captured, headers)))).toHaveLength(0);
			}
		});

		it('treats the same event type + data.id in another body as the same event (Flowella: de-duplicate on data.id)', async () => {
			const module = freshProcess();
			const first = signed('message.read', { deliveryId: 'dlv_r1', body: { event: 'message.read', data: { id: 'msg_x' }, createdAt: '2026-01-05T12:00:00Z' } });
			expect(started(await call(module, first))).toHaveLength(1);
			const resent = signed('message.read', { deliveryId: 'dlv_r2', body: { event: 'message.read', data: { id: 'msg_x' }, createdAt: '2026-01-05T12:00:09Z' } });
			expect(started(await call(module, resent))).toHaveLength(0);
			// Another event of the same message is another event.
			expect(started(await call(module, signed('message.delivered', { deliveryId: 'dlv_r3', body: { event: 'message.delivered', data: { id: 'msg_x' } } })))).toHaveLength(1);
		});

		it('starts every press of "Send test" even when the test event reuses its data.id', async () => {
			const module = freshProcess();
			for (let press = 0; press < 3; press += 1) {
				const body = { event: 'webhook.test', data: { id: 'test' }, sentAt: `2026-01-05T12:00:0${press}Z` };
				expect(started(await call(module, signed('webhook.test', { deliveryId: `dlv_t${press}`, body })))).toHaveLength(1);
			}
		});

		it('keeps Flowella\'s retries (same delivery, same body) de-duplicated, with or without a timestamp', async () => {
			const module = freshProcess();
			const delivery = signed('message.received', { deliveryId: 'dlv_retry' });
			expect(started(await call(module, delivery))).toHaveLength(1);
			expect(started(await call(module, replayed(delivery, { 'x-flowella-timestamp': fresh() })))).toHaveLength(0);
			expect(started(await call(module, replayed(delivery, { 'x-flowella-timestamp': undefined })))).toHaveLength(0);
		});

		it('refuses a delivery id or event header over 256 characters (400) and keeps nothing of it', async () => {
			const module = freshProcess();
			const long = 'x'.repeat(257);
			const byId = await call(module, signed('message.received', { deliveryId: long }));
			expect(byId.status).toBe(400);
			expect((byId.body as { error: string }).error).toMatch(/X-Flowella-Delivery is longer than 256/);
			const byEvent = await call(module, replayed(signed('message.received'), { 'x-flowella-event': long }));
			expect(byEvent.status).toBe(400);
			// 256 is still accepted.
			expect(started(await call(module, signed('message.received', { deliveryId: 'y'.repeat(256) })))).toHaveLength(1);
		});

		it('keeps fixed-size keys in the static-data mirror, whatever the delivery id\'s length', async () => {
			const module = freshProcess();
			const staticData: IDataObject = {};
			expect(started(await call(module, signed('message.received', { deliveryId: 'z'.repeat(256) })))).toHaveLength(1);
			await runStep(module, staticData);
			const keys = (JSON.parse(staticData.seenDeliveries as string) as Array<[string, number]>).map(([key]) => key);
			expect(keys.length).toBeGreaterThan(0);
			for (const key of keys) expect(key.length).toBeLessThanOrEqual(32);
		});
	});

	describe('mirror to static data, for restarts', () => {
		const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
		beforeEach(() => jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
		afterEach(() => jest.useRealTimers());
		const keysOf = (delivery: ReturnType<typeof signed>) => deliveryKeys(Buffer.from(delivery.raw), delivery.deliveryId, delivery.type, JSON.parse(delivery.raw) as IDataObject);
		const mirrored = (staticData: IDataObject) => (typeof staticData.seenDeliveries === 'string' ? (JSON.parse(staticData.seenDeliveries) as Array<[string, number]>).map(([key]) => key) : undefined);
		const items = [{ json: { event: 'message.received' } }];
		const run = async (module: TriggerModule, staticData: IDataObject, mode = 'webhook') => runStep(module, staticData, { items, mode });

		it('writes nothing from webhook(): n8n drops such a write when it starts the execution', async () => {
			const staticData: IDataObject = {};
			expect(started(await call(freshProcess(), signed('message.received', { deliveryId: 'dlv_w' }), { staticData }))).toHaveLength(1);
			expect(staticData).toEqual({});
		});

		it('writes the keys as one string from the executions: at most once a second in a burst, and at its end', async () => {
			const module = freshProcess();
			// 20 events in 2 s, 5 in flight: each execution runs after the next 4 were claimed.
			const writes: Array<string[] | undefined> = [];
			const awaiting: number[] = [];
			const sent: Array<ReturnType<typeof signed>> = [];
			for (let index = 0; index < 20; index += 1) {
				sent.push(signed('message.received', { deliveryId: `dlv_m${index}`, nowMs: Date.now() }));
				expect(started(await call(module, sent[index]))).toHaveLength(1);
				awaiting.push(index);
				if (awaiting.length === 5) {
					awaiting.shift();
					const staticData: IDataObject = {};
					await expect(run(module, staticData)).resolves.toEqual([items]);
					if (staticData.seenDeliveries !== undefined) writes.push(mirrored(staticData));
				}
				jest.setSystemTime(Date.now() + 100);
			}
			expect(writes.map((keys) => keys!.length)).toEqual([15, 45]);
			// The burst ends: the last execution writes every key.
			for (let left = awaiting.length; left > 0; left--) {
				const staticData: IDataObject = {};
				await run(module, staticData);
				if (staticData.seenDeliveries !== undefined) writes.push(mirrored(staticData));
			}
			expect(writes).toHaveLength(3);
			expect(writes[2]).toEqual(sent.flatMap(keysOf));
			// A test-URL execution writes nothing.
			const manual: IDataObject = {};
			await run(module, manual, 'manual');
			expect(manual).toEqual({});
		});

		it('remembers the mirrored delivery ids across a restart', async () => {
			const module = freshProcess();
			const delivery = signed('message.received', { deliveryId: 'dlv_restart' });
			expect(started(await call(module, delivery))).toHaveLength(1);
			const staticData: IDataObject = {};
			await run(module, staticData);
			const saved = JSON.parse(JSON.stringify(staticData)) as IDataObject;
			expect(mirrored(saved)).toEqual(keysOf(delivery));
			const afterRestart = await call(freshProcess(), signed('message.received', { deliveryId: 'dlv_restart' }), { staticData: saved });
			expect(afterRestart.body).toMatchObject({ reason: 'duplicate delivery' });
			// Earlier versions' mirrors (a list of readable [key, ms], then one string of them) are read too.
			const legacy = { seenDeliveries: [['delivery:dlv_old', Date.now()]] };
			expect(started(await call(freshProcess(), signed('message.received', { deliveryId: 'dlv_old' }), { staticData: legacy }))).toHaveLength(0);
			const legacyString = { seenDeliveries: JSON.stringify([['event:message.read:msg_old', Date.now()]]) };
			const sameEvent = signed('message.read', { body: { event: 'message.read', data: { id: 'msg_old' } } });
			expect(started(await call(freshProcess(), sameEvent, { staticData: legacyString }))).toHaveLength(0);
		});

		it('forgets after a restart what was claimed after the last write', async () => {
			const module = freshProcess();
			const first = [signed('message.received', { deliveryId: 'dlv_first' }), signed('message.received', { deliveryId: 'dlv_second' })];
			for (const delivery of first) await call(module, delivery);
			const saved: IDataObject = {};
			await run(module, saved); // the first mirror ever
			await run(module, saved); // nothing new since
			expect(mirrored(saved)).toEqual(first.flatMap(keysOf));
			await call(module, signed('message.received', { deliveryId: 'dlv_a' }));
			await call(module, signed('message.received', { deliveryId: 'dlv_b' }));
			const late: IDataObject = JSON.parse(JSON.stringify(saved));
			await run(module, late); // dlv_a's: dlv_b's still awaits, less than a second passed
			expect(late).toEqual(saved);
			// n8n is killed before dlv_b's execution runs.
			const restarted = freshProcess();
			const replay = async (id: string) => started(await call(restarted, signed('message.received', { deliveryId: id }), { staticData: JSON.parse(JSON.stringify(saved)) }));
			expect(await replay('dlv_first')).toHaveLength(0);
			expect(await replay('dlv_second')).toHaveLength(0);
			expect(await replay('dlv_a')).toHaveLength(1);
			expect(await replay('dlv_b')).toHaveLength(1);
		});

		it('takes in a mirror written by another process', async () => {
			const delivery = signed('message.received', { deliveryId: 'dlv_other' });
			const other = JSON.stringify(keysOf(delivery).map((key) => [key, Date.now()]));
			expect(started(await call(freshProcess(), delivery, { staticData: { seenDeliveries: other } }))).toHaveLength(0);
		});
	});

	describe('signing secret', () => {
		const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
		beforeEach(() => jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
		afterEach(() => jest.useRealTimers());

		it('reads the credential once for many requests, concurrent ones included', async () => {
			const module = freshProcess();
			const reads = { count: 0 };
			const outcomes = await Promise.all(
				Array.from({ length: 30 }, (_, index) => call(module, signed('message.received', { deliveryId: `dlv_s${index}` }), { credentialId: 'cred-1', reads })),
			);
			expect(outcomes.every((outcome) => started(outcome).length === 1)).toBe(true);
			expect(reads.count).toBe(1);
		});

		it('takes a changed secret from the first request, and accepts the previous one for at most 5 s', async () => {
			const module = freshProcess();
			const reads = { count: 0 };
			const oldSecret = 'whsec_the_previous_secret_0123456789';
			const byOld = (id: string) => buildDelivery({ secret: oldSecret, type: 'message.received', body: sampleEvent('message.received'), deliveryId: id, nowMs: Date.now() });
			expect(started(await call(module, byOld('dlv_o1'), { credentialId: 'cred-r', secret: oldSecret, reads }))).toHaveLength(1);
			// The user pastes the new secret: the first request signed with it starts the workflow.
			jest.setSystemTime(T0 + 1000);
			expect(started(await call(module, signed('message.received', { deliveryId: 'dlv_n1', nowMs: Date.now() }), { credentialId: 'cred-r', reads }))).toHaveLength(1);
			expect(reads.count).toBe(2);
			// The previous secret no longer matches what was just read.
			const stale = await call(module, byOld('dlv_o2'), { credentialId: 'cred-r', reads });
			expect(stale.status).toBe(401);
		});

		it('accepts the previous secret after a change only while its cached copy is under 5 s old', async () => {
			const module = freshProcess();
			const oldSecret = 'whsec_the_previous_secret_0123456789';
			const byOld = (id: string) => buildDelivery({ secret: oldSecret, type: 'message.received', body: sampleEvent('message.received'), deliveryId: id, nowMs: Date.now() });
			expect(started(await call(module, byOld('dlv_p1'), { credentialId: 'cred-p', secret: oldSecret }))).toHaveLength(1);
			// Changed in n8n (the call now reads SECRET), no request signed with the new one yet.
			jest.setSystemTime(T0 + 4999);
			expect(started(await call(module, byOld('dlv_p2'), { credentialId: 'cred-p' }))).toHaveLength(1);
			jest.setSystemTime(T0 + 5000);
			expect((await call(module, byOld('dlv_p3'), { credentialId: 'cred-p' })).status).toBe(401);
		});

		it('refuses a forged request after reading the stored secret again, and does not cache a wrong one', async () => {
			const module = freshProcess();
			const reads = { count: 0 };
			expect(started(await call(module, signed('message.received', { deliveryId: 'dlv_f1' }), { credentialId: 'cred-f', reads }))).toHaveLength(1);
			const forged = await call(module, tamper(signed(), 'forge', { secret: SECRET }), { credentialId: 'cred-f', reads });
			expect(forged.status).toBe(401);
			expect(reads.count).toBe(2);
			expect(started(await call(module, signed('message.received', { deliveryId: 'dlv_f2' }), { credentialId: 'cred-f', reads }))).toHaveLength(1);
			expect(reads.count).toBe(2);
		});
	});

	it('keeps test-URL and production deliveries apart, and writes no static data for the test URL', async () => {
		const module = freshProcess();
		const staticData: IDataObject = {};
		const delivery = signed('webhook.test', { deliveryId: 'dlv_both' });
		expect(started(await call(module, delivery, { mode: 'manual', staticData }))).toHaveLength(1);
		expect(staticData).toEqual({});
		expect(started(await call(module, delivery, { mode: 'webhook', staticData }))).toHaveLength(1);
		expect(started(await call(module, delivery, { mode: 'manual' }))).toHaveLength(0);
	});

	it('keeps two trigger nodes apart', async () => {
		const module = freshProcess();
		const delivery = signed('message.received', { deliveryId: 'dlv_two_nodes' });
		expect(started(await call(module, delivery, { nodeId: 'a' }))).toHaveLength(1);
		expect(started(await call(module, delivery, { nodeId: 'b' }))).toHaveLength(1);
		expect(started(await call(module, delivery, { nodeId: 'a' }))).toHaveLength(0);
	});
});

describe('FlowellaTrigger description and methods', () => {
	const module = freshProcess();
	const node = new module.FlowellaTrigger();

	it('is a POST webhook at /webhook/<webhookId>, answered on receipt', () => {
		expect(node.description.name).toBe('flowellaTrigger');
		expect(node.description.group).toEqual(['trigger']);
		expect(node.description.inputs).toEqual([]);
		expect(node.description.webhooks).toEqual([{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: 'noData', path: '', isFullPath: true }]);
		expect(node.description.credentials).toEqual([{ name: 'flowellaWebhookApi', required: true, testedBy: 'flowellaWebhookSecretShape' }]);
	});

	it('has one version, 2 (n8n skips the legacy per-request expression of version-1 webhook nodes)', () => {
		expect(node.description.version).toBe(2);
		expect(node.description.defaultVersion).toBeUndefined();
	});

	it('offers every documented event type and "all" as the default, not webhook.test', () => {
		const events = node.description.properties.find((property) => property.name === 'events')!;
		expect(events.default).toEqual(['*']);
		expect((events.options as Array<{ value: string }>).map((option) => option.value).sort()).toEqual(
			['*', 'conversation.closed', 'conversation.opened', 'message.delivered', 'message.failed', 'message.read', 'message.received', 'message.sent', 'optout.created', 'template.status_updated'],
		);
	});

	it('registers nothing remote: Flowella has no webhook API', async () => {
		const methods = node.webhookMethods.default;
		const context = {} as never;
		await expect(methods.checkExists.call(context)).resolves.toBe(true);
		await expect(methods.create.call(context)).resolves.toBe(true);
		await expect(methods.delete.call(context)).resolves.toBe(true);
	});

	it('tests the credential by the secret\'s shape', async () => {
		const test = node.methods.credentialTest.flowellaWebhookSecretShape;
		const run = (signingSecret: unknown) => test.call({} as ICredentialTestFunctions, { id: '1', name: 'x', type: 'flowellaWebhookApi', data: { signingSecret } as ICredentialDataDecryptedObject });
		await expect(run(SECRET)).resolves.toMatchObject({ status: 'OK' });
		await expect(run('flo_live_0123456789abcdef')).resolves.toEqual({ status: 'Error', message: expect.stringMatching(/API key/) });
		await expect(run('')).resolves.toMatchObject({ status: 'Error' });
	});
});
