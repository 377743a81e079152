#!/usr/bin/env node
'use strict';
// Refreshes docs/screenshots/ from a running playground: start `npm start` in another terminal,
// then `node scripts/n8n-screenshots.js` (needs Chromium: apt-get install chromium). Takes the
// editor tour's shots (nodes panel, node, finished run, output, error output), then the panel of
// every operation and of the trigger, from a workflow it creates with one node of each.
//   --url http://localhost:5678  --workflow flowellaExample1  --out docs/screenshots
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { ROOT } = require('../tools/n8n-harness');
const { SANDBOX_CREDENTIAL } = require('../tools/n8n-examples');
const { PLAYGROUND_WEBHOOK } = require('../emulator/webhooks');
const { openWorkflow } = require('../tools/editor/chromium');
const { tourEditor, tourUnavailable } = require('../tools/editor/tour');

const NODE = 'n8n-nodes-flowella.flowella';
const TRIGGER = 'n8n-nodes-flowella.flowellaTrigger';
const CHANNEL = 'clchannel0000000000000001';

/** One node per operation, filled in as a user would, and the file its panel is saved to. @type {Array<[string, string, Record<string, unknown>]>} */
const OPERATION_SHOTS = [
	['contact-create-or-update.png', 'Create or Update a Contact', { resource: 'contact', operation: 'upsert', phone: '={{ $json.phone }}', additionalFields: { name: '={{ $json.name }}', email: '={{ $json.email }}' }, options: { defaultCountryCode: '34' } }],
	['contact-get-many.png', 'Get Many Contacts', { resource: 'contact', operation: 'getAll', returnAll: true }],
	['contact-opt-out.png', 'Opt Out a Contact', { resource: 'contact', operation: 'optOut', whatsappChannelId: CHANNEL, phone: '={{ $json.phone }}', additionalFields: { reason: 'Asked to stop' } }],
	['message-send-text.png', 'Send Text', { resource: 'message', operation: 'sendText', to: '={{ $json.phone }}', text: '=Hi {{ $json.name }}, your order has shipped.' }],
	['template-send-to-many.png', 'Send Template to Many', { resource: 'template', operation: 'send', templateId: 'cltemplate000000000000001', whatsappChannelId: CHANNEL, phone: '={{ $json.phone }}', bodyParameters: { parameter: [{ value: '={{ $json.name }}' }] } }],
	['conversation-get-many.png', 'Get Open Conversations', { resource: 'conversation', operation: 'getAll', limit: 20, filters: { status: 'OPEN' } }],
	['analytics-get-outbound-message-stats.png', 'Outbound Message Stats', { resource: 'analytics', operation: 'getOutbound', startDate: '={{ $today.minus({ days: 7 }).toISO() }}', endDate: '={{ $today.toISO() }}' }],
];

/** Creates a workflow with one Flowella node per operation and a trigger; saves each one's panel. */
async function shootOperations({ url, email, password, out, log }) {
	// Signs in on the playground's first example; the workflow with one node of each is made here.
	const { browser, page } = await openWorkflow({ url, email, password, workflowId: 'flowellaExample1', nodeName: 'Flowella', timeoutMs: 30_000, log, prefix: '[shots]' });
	const written = [];
	try {
		// n8n ties its session cookie to the browser id its editor keeps and sends with every call.
		const browserId = await page.evaluate("window.localStorage.getItem('n8n-browserId')");
		/** @type {Record<string, string>} */
		const headers = {};
		if (browserId) headers['browser-id'] = String(browserId);
		const credential = { flowellaApi: { id: SANDBOX_CREDENTIAL.id, name: SANDBOX_CREDENTIAL.name } };
		const nodes = [
			{
				id: crypto.randomUUID(),
				name: 'Flowella Trigger',
				type: TRIGGER,
				typeVersion: 2,
				position: [0, 0],
				webhookId: crypto.randomUUID(),
				parameters: { events: ['message.received'] },
				credentials: { flowellaWebhookApi: { id: PLAYGROUND_WEBHOOK.credential.id, name: PLAYGROUND_WEBHOOK.credential.name } },
			},
			...OPERATION_SHOTS.map(([, name, parameters], index) => ({
				id: crypto.randomUUID(),
				name,
				type: NODE,
				typeVersion: 1,
				position: [260 * ((index % 4) + 1), 220 * Math.floor(index / 4)],
				parameters,
				credentials: credential,
			})),
		];
		const created = await page.request.post(`${url}/rest/workflows`, {
			headers,
			data: { name: 'Screenshots: every Flowella operation', nodes, connections: {}, settings: { executionOrder: 'v1' }, active: false },
		});
		if (!created.ok()) throw new Error(`creating the screenshot workflow failed: ${created.status()} ${await created.text()}`);
		const workflowId = (await created.json()).data.id;
		try {
			await page.goto(`${url}/workflow/${workflowId}`);
			const shots = [['trigger-panel.png', 'Flowella Trigger'], ...OPERATION_SHOTS.map(([file, name]) => [file, name])];
			for (const [file, name] of shots) {
				await page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).dblclick();
				await page.locator('[data-test-id="ndv"]').waitFor();
				await page.waitForTimeout(800);
				const target = path.join(out, file);
				await page.screenshot({ path: target });
				written.push(target);
				log(`[shots] saved ${target}`);
				await page.keyboard.press('Escape');
				await page.locator('[data-test-id="ndv"]').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
			}
		} finally {
			// n8n 2.x deletes only an archived workflow; 1.x has no archive.
			await page.request.post(`${url}/rest/workflows/${workflowId}/archive`, { headers }).catch(() => {});
			await page.request.delete(`${url}/rest/workflows/${workflowId}`, { headers }).catch(() => {});
		}
	} finally {
		await browser.close();
	}
	return written;
}

async function main() {
	const { values } = parseArgs({
		options: {
			url: { type: 'string', default: `http://localhost:${process.env.FLOWELLA_PLAYGROUND_PORT ?? '5678'}` },
			email: { type: 'string', default: process.env.FLOWELLA_PLAYGROUND_EMAIL ?? 'playground@example.com' },
			password: { type: 'string', default: process.env.FLOWELLA_PLAYGROUND_PASSWORD ?? 'Flowella-playground-1' },
			workflow: { type: 'string', default: 'flowellaExample1' },
			out: { type: 'string', default: path.join(ROOT, 'docs', 'screenshots') },
		},
	});
	const unavailable = tourUnavailable();
	if (unavailable) throw new Error(unavailable);
	const health = await fetch(`${values.url}/healthz`).catch(() => undefined);
	if (!health?.ok) throw new Error(`no n8n answers at ${values.url}: start the playground with npm start first`);
	const common = {
		url: values.url,
		email: values.email,
		password: values.password,
		log: (line) => process.stderr.write(`${line}\n`),
	};
	const tour = await tourEditor({ ...common, workflowId: values.workflow, screenshotDir: path.resolve(values.out) });
	if (tour.nodesPanel.name !== 'Flowella') throw new Error(`the nodes panel shows "${tour.nodesPanel.name}"`);
	const written = [...tour.screenshots];
	if (values.workflow === 'flowellaExample1') {
		// The error-output example's finished run, too.
		const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowella-shots-'));
		const errorTour = await tourEditor({ ...common, workflowId: 'flowellaExample3', screenshotDir: scratch });
		const target = path.join(path.resolve(values.out), 'error-output-run.png');
		const finished = errorTour.screenshots.find((file) => file.endsWith('finished-run.png'));
		if (!finished) throw new Error('the error-output tour saved no finished-run.png');
		fs.copyFileSync(finished, target);
		fs.rmSync(scratch, { recursive: true, force: true });
		written.push(target);
	}
	written.push(...(await shootOperations({ ...common, out: path.resolve(values.out) })));
	process.stdout.write(`${written.map((file) => path.relative(process.cwd(), file)).join('\n')}\n`);
}

main().catch((error) => {
	process.stderr.write(`${error.message}\n`);
	process.exit(1);
});
