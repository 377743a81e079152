'use strict';
// End-to-end, in the browser: n8n's "Listen for test event" with the Flowella Trigger. The
// trigger's panel shows its Test URL; while the editor listens, a forged webhook.test is refused
// (401, still listening, no execution) and a signed one shows up in the output panel as the event
// Flowella sent. Needs playwright-core and Chromium (skipped with the reason otherwise).
// Run with FLOWELLA_E2E_FILES=trigger-editor npm run test:e2e; FLOWELLA_E2E_DOCS_SCREENSHOTS=1
// also copies the n8n 2.x screenshots to docs/screenshots/ for the README and docs/.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { before } = require('node:test');

const { ROOT, freePort } = require('../tools/n8n-harness');
const { workflowId, triggerWorkflow } = require('../tools/workflows');
const { executionCounts, settle } = require('../tools/n8n-trigger');
const { WebhookSender, TEST_EVENT } = require('../emulator/webhooks');
const { describeInN8n } = require('./lib/suite');
const { tourTriggerEditor, tourUnavailable } = require('../tools/editor/trigger-tour');

const SECRET = 'whsec_e2e_editor_0123456789abcdef';
const WEBHOOK_ID = 'e2e0f10e-11a0-4b1d-9c3a-00000000ed17';
/** What the panel shows as the webhook base: the public HTTPS address Flowella needs (a TLS proxy in front of n8n). */
const PUBLIC_BASE = 'https://n8n.example.com/';
const OWNER = { email: 'owner@example.com', password: 'E2e-password-1' };
const log = (line) => process.stderr.write(`${line}\n`);
const credential = { id: workflowId('credE2eEditorHook'), name: 'Flowella webhook (test URL)' };
const workflow = { id: workflowId('e2eTriggerEditor'), name: 'e2e: Flowella Trigger in the editor' };

describeInN8n(
	'Flowella Trigger in the editor',
	async (suite) => {
		suite.credentials.hook = { ...credential, type: 'flowellaWebhookApi', data: { signingSecret: SECRET } };
		// webhook.test is not one of the events: Include Test Events lets it through.
		suite.workflows.trigger = triggerWorkflow({ ...workflow, webhookId: WEBHOOK_ID, credential, events: ['message.received'], options: { includeTestEvents: true } });
	},
	(suite) => {
		/** @type {Awaited<ReturnType<import('../tools/n8n-harness').N8n['start']>> | undefined} */
		let server;
		const version = suite.version;

		before(async () => {
			if (tourUnavailable()) return;
			// Production URL: WEBHOOK_URL (2.x: N8N_WEBHOOK_URL first). Test URL: 2.x N8N_WEBHOOK_URL, else
			// N8N_EDITOR_BASE_URL; 1.x N8N_EDITOR_BASE_URL (the harness points it at the local editor).
			server = await suite.n8n.start({ port: await freePort(), env: { WEBHOOK_URL: PUBLIC_BASE, N8N_WEBHOOK_URL: PUBLIC_BASE } });
			// Stopped at tear-down, before the user folder goes.
			suite.onTearDown(() => server?.stop());
			await server.rest().setupOwner(OWNER);
		});

		suite.test('"Listen for test event": a signed webhook.test shows in the output, a forged one is refused', async () => {
			const running = server;
			if (!running) throw new Error('n8n did not start');
			const n8n = suite.n8n;
			const screenshotDir = path.join(ROOT, '.e2e', 'screenshots', `n8n-${version}`);
			const executions = () => executionCounts(n8n, workflow.id);
			/** @type {Awaited<ReturnType<import('../emulator/webhooks').WebhookSender['sendTest']>> | undefined} */
			let signed;
			const tour = await tourTriggerEditor({
				url: running.url,
				...OWNER,
				workflowId: workflow.id,
				screenshotDir,
				log,
				whileListening: async ({ testUrl, isListening }) => {
					// Flowella posts to the public URL; the proxy hands the same path to n8n.
					const local = new URL(new URL(testUrl).pathname, running.url).href;
					const sender = new WebhookSender({ url: local, secret: SECRET, retry: false });

					const forged = await sender.send(TEST_EVENT, { mode: 'forge' });
					assert.equal(forged.attempts[0].status, 401, `forged: ${forged.attempts[0].body}`);
					assert.equal(await isListening(), true, 'the editor stopped listening after a forged delivery');
					assert.equal((await executions()).total, 0, 'a forged delivery started an execution');

					signed = await sender.sendTest();
					assert.equal(signed.attempts[0].status, 200, `signed: ${signed.attempts[0].body}`);
					assert.ok(signed.attempts[0].ms < 10_000, `answered in ${signed.attempts[0].ms} ms`);
				},
			});

			const testBase = version.startsWith('1.') ? `${running.url}/` : PUBLIC_BASE;
			assert.equal(tour.testUrl, `${testBase}webhook-test/${WEBHOOK_ID}`);
			assert.match(tour.panelText, /Copy the URL above into Flowella → Settings → Webhooks/);
			assert.match(tour.listeningText, /Listening for test event/);
			log(`[e2e] n8n ${version}: the listen button reads "${tour.buttonText}"`);

			// The output is the event exactly as Flowella sent it, plus the delivery id from its header.
			if (!signed) throw new Error('the tour never sent the signed event');
			const sent = JSON.parse(signed.delivery.raw);
			assert.deepEqual(tour.outputJson, [{ ...sent, deliveryId: signed.deliveryId }]);

			const counts = await settle(executions, (value) => value.total >= 1, { timeoutMs: 60_000 });
			assert.deepEqual(counts, { total: 1, byStatus: { success: 1 } });

			// n8n listens for one event: after it, the Test URL is unregistered until the next click.
			const local = new URL(new URL(tour.testUrl).pathname, running.url).href;
			const late = await new WebhookSender({ url: local, secret: SECRET, retry: false }).sendTest();
			assert.equal(late.attempts[0].status, 404, `after the test event: ${late.attempts[0].status} ${late.attempts[0].body}`);

			if (process.env.FLOWELLA_E2E_DOCS_SCREENSHOTS === '1' && version.startsWith('2.')) {
				for (const file of tour.screenshots) fs.copyFileSync(file, path.join(ROOT, 'docs', 'screenshots', path.basename(file)));
				log(`[e2e] copied ${tour.screenshots.map((file) => path.basename(file)).join(', ')} to docs/screenshots/`);
			}
		}, { skip: tourUnavailable() });
	},
);
