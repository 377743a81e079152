'use strict';
// End-to-end: the Flowella Trigger in a real n8n, installed from the packed tarball. An active
// workflow (Flowella Trigger → HTTP Request reporting each event to a recorder in this process)
// receives signed events from the emulator's webhook sender on the production URL; forged,
// stale, duplicate, replayed (captured and sent with new unsigned headers) and unselected deliveries must start nothing, so the executions in n8n's
// database equal the distinct valid selected events. Then n8n restarts and the delivery ids
// it saw still start nothing. Run with FLOWELLA_E2E_FILES=trigger npm run test:e2e.
const assert = require('node:assert/strict');
const { before } = require('node:test');

const { freePort } = require('../tools/n8n-harness');
const { workflowId, triggerWorkflow } = require('../tools/workflows');
const { activate, executionCounts, settle, waitForWebhook, startRecorder } = require('../tools/n8n-trigger');
const { WebhookSender, buildDelivery, post } = require('../emulator/webhooks');
const { describeInN8n } = require('./lib/suite');

const SECRET = 'whsec_e2e_trigger_0123456789abcdef';
const WEBHOOK_ID = 'e2e0f10e-11a0-4b1d-9c3a-00000000e2e1';
const SELECTED = ['message.received', 'message.read'];
const credential = { id: workflowId('credE2eHook'), name: 'Flowella webhook (e2e)' };
const workflow = { id: workflowId('e2eTriggerFlow'), name: 'e2e: Flowella Trigger' };

/** @type {Awaited<ReturnType<typeof startRecorder>>} */
let recorder;

describeInN8n(
	'Flowella Trigger',
	async (suite) => {
		recorder = await startRecorder();
		suite.onTearDown(() => recorder.close());
		suite.credentials.hook = { ...credential, type: 'flowellaWebhookApi', data: { signingSecret: SECRET } };
		suite.workflows.trigger = triggerWorkflow({ ...workflow, webhookId: WEBHOOK_ID, credential, events: SELECTED, reportUrl: recorder.url });
	},
	(suite) => {
		/** @type {Awaited<ReturnType<import('../tools/n8n-harness').N8n['start']>> | undefined} */
		let server;
		let port = 0;
		let productionUrl = '';
		/** Delivery ids that must have started exactly one execution each. */
		const expected = new Set();
		/** Records of valid deliveries, to replay after the restart. */
		const started = [];

		const startN8n = async () => {
			server = await suite.n8n.start({ port, env: { WEBHOOK_URL: `http://127.0.0.1:${port}/` } });
			await waitForWebhook(productionUrl);
		};
		const executions = () => executionCounts(suite.n8n, workflow.id);
		const settled = (/** @type {number} */ total) => settle(executions, (counts) => counts.total >= total, { timeoutMs: 90_000 });

		before(async () => {
			await activate(suite.n8n, workflow.id);
			port = await freePort();
			productionUrl = `http://127.0.0.1:${port}/webhook/${WEBHOOK_ID}`;
			// Stopped at tear-down, before the user folder goes.
			suite.onTearDown(() => server?.stop());
			await startN8n();
		});

		suite.test('runs one execution per distinct valid selected event; forged, stale, duplicate and unselected ones start nothing', async () => {
			const sender = new WebhookSender({ url: productionUrl, secret: SECRET, retry: false });
			const answers = [];
			const expectAnswer = (record, status, label) => {
				const [attempt] = record.attempts;
				answers.push(attempt);
				assert.ok(Array.isArray(status) ? status.includes(attempt.status) : attempt.status === status, `${label}: answered ${attempt.status} ${attempt.body ?? attempt.error}`);
			};
			const valid = async (type, options) => {
				const record = await sender.send(type, options);
				expectAnswer(record, 200, `valid ${type}`);
				expected.add(record.deliveryId);
				started.push(record);
				return record;
			};

			for (let index = 0; index < 6; index += 1) await valid('message.received', { text: `Hola ${index}` });
			await valid('message.read');
			await valid('message.read');
			await valid('message.received', { mode: 'noTimestamp' });
			await valid('webhook.test');

			// Flowella's retries and an attacker's replays: same delivery id, fresh timestamp.
			for (const record of started.slice(0, 3)) expectAnswer(await sender.replay(record), 200, 'replay');
			// A captured signed request replayed by someone else: the headers are unsigned, the body
			// is not, so a new delivery id, a fresh timestamp or no such headers at all start nothing.
			/** @type {Array<{ label: string, change: (headers: Record<string, string>) => Record<string, string> }>} */
			const replays = [
				{ label: 'new delivery id', change: (headers) => ({ ...headers, 'x-flowella-delivery': `dlv_attacker_${Date.now()}`, 'x-flowella-timestamp': String(Math.floor(Date.now() / 1000)) }) },
				{ label: 'no delivery or timestamp header', change: ({ 'x-flowella-delivery': _d, 'x-flowella-timestamp': _t, ...headers }) => headers },
			];
			for (const { label, change } of replays) {
				for (const record of started.slice(0, 2)) {
					const answer = await post(productionUrl, { raw: record.delivery.raw, headers: change(record.delivery.headers) });
					answers.push(answer);
					assert.equal(answer.status, 200, `captured request replayed with ${label}: ${answer.status} ${answer.body}`);
					assert.match(String(answer.body), /duplicate delivery/, `captured request replayed with ${label}`);
				}
			}
			// Five copies of one delivery at once: one execution.
			const copies = buildDelivery({ secret: SECRET, type: 'message.received', body: { event: 'message.received', data: { id: 'msg_concurrent' } } });
			const concurrent = await Promise.all(Array.from({ length: 5 }, () => post(productionUrl, copies)));
			for (const answer of concurrent) assert.equal(answer.status, 200, `concurrent copy: ${answer.status} ${answer.body}`);
			// An accepted delivery gets a bare 2xx, not n8n's default response-data name as text.
			for (const answer of concurrent) assert.doesNotMatch(String(answer.body ?? ''), /firstEntryJson/);
			expected.add(copies.deliveryId);
			// Without X-Flowella-Delivery: event type + data.id is the key.
			const noId = buildDelivery({ secret: SECRET, type: 'message.read', body: { event: 'message.read', data: { id: 'msg_no_delivery_id' } } });
			delete noId.headers['x-flowella-delivery'];
			assert.equal((await post(productionUrl, noId)).status, 200);
			assert.equal((await post(productionUrl, noId)).status, 200);

			for (const type of ['message.sent', 'conversation.opened', 'optout.created']) expectAnswer(await sender.send(type), 200, `unselected ${type}`);
			for (const mode of ['forge', 'unsigned', 'corrupt', 'stale', 'future']) expectAnswer(await sender.send('message.received', { mode }), 401, mode);
			expectAnswer(await sender.send('message.received', { mode: 'wrongContentType' }), 415, 'wrongContentType');
			// n8n itself answers 422 to malformed JSON before the node runs; the node says 400.
			expectAnswer(await sender.send('message.received', { mode: 'notJson' }), [400, 422], 'notJson');

			for (const answer of [...answers, ...concurrent]) assert.ok(answer.ms < 10_000, `an answer took ${answer.ms} ms`);

			const total = expected.size + 1; // + the event without a delivery id
			const counts = await settled(total);
			assert.equal(counts.total, total, `executions: ${JSON.stringify(counts)}`);
			assert.equal(counts.byStatus.success, total, `executions: ${JSON.stringify(counts)}`);

			const reported = await settle(() => recorder.bodies.length, (length) => length >= total);
			assert.equal(reported, total);
			const deliveryIds = recorder.bodies.map((body) => body.deliveryId).filter(Boolean);
			assert.deepEqual(new Set(deliveryIds), expected);
			assert.equal(deliveryIds.length, expected.size, 'a delivery id was reported twice');
			assert.equal(recorder.bodies.filter((body) => body.data?.id === 'msg_no_delivery_id').length, 1);
			// The event as received, plus the delivery id from its header.
			const first = JSON.parse(started[0].delivery.raw);
			assert.deepEqual(
				recorder.bodies.find((body) => body.deliveryId === started[0].deliveryId),
				{ ...first, deliveryId: started[0].deliveryId },
			);
		});

		suite.test('still starts nothing for delivery ids it saw before n8n restarted', async () => {
			const sender = new WebhookSender({ url: productionUrl, secret: SECRET, retry: false });
			// The node saves its keys with the first new delivery a second or more after its last save
			// (docs/trigger.md): this one saves every key before it, then n8n restarts.
			await new Promise((resolve) => setTimeout(resolve, 1100));
			const saving = await sender.send('message.received');
			assert.equal(saving.attempts[0].status, 200);
			const before = (await settled((await executions()).total)).total;
			await server?.stop();
			await startN8n();
			for (const record of started.slice(0, 4)) assert.equal((await sender.replay(record)).attempts[0].status, 200);
			const fresh = await sender.send('message.received');
			assert.equal(fresh.attempts[0].status, 200);
			const counts = await settled(before + 1);
			assert.equal(counts.total, before + 1, `executions after the restart: ${JSON.stringify(counts)}`);
		});
	},
);
