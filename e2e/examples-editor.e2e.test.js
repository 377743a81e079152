'use strict';
// End to end, the playground's side in a real n8n with the packed package installed as a community
// package: every shipped example workflow (examples/*.json) that `n8n execute` can start runs as
// shipped against the playground's seeded emulator; then the editor (`n8n start`): the node and
// credential types it lists, the credential's Test button with a right and a wrong key, and (with
// Chromium) a tour in the browser that runs an example to ContactRows. One file, one n8n start-up
// for both. Run with `FLOWELLA_E2E_FILES=examples npm run test:e2e` (or `editor`).
const assert = require('node:assert/strict');
const path = require('node:path');
const { describe, before, after } = require('node:test');

const { NODE_TYPE, ROOT, nodeOutputs } = require('../tools/n8n-harness');
const { readExamples, SANDBOX_CREDENTIAL, PLAYGROUND_SEED } = require('../tools/n8n-examples');
const { DEMO_KEY } = require('../emulator/cli');
const { tourEditor, tourUnavailable } = require('../tools/editor/tour');
const { describeInN8n, assertSucceeded, log } = require('./lib/suite');

const KEY = 'flo_e2e_editor_key_0123456789';
const WRONG_KEY = 'flo_e2e_wrong_key_9876543210';
const OWNER = { email: 'owner@example.com', password: 'E2e-password-1' };
// `n8n execute` starts only workflows with a Manual Trigger; the scheduled and triggered ones run in the editor.
const manual = readExamples().filter((example) => example.nodes.some((/** @type {{ type: string }} */ node) => node.type === 'n8n-nodes-base.manualTrigger'));

describeInN8n(
	'the examples and the editor',
	async (suite) => {
		suite.credential('main', 'Flowella (e2e)', await suite.emulator('main', { apiKeys: [KEY] }), KEY);
		suite.credential('wrong', 'Flowella (e2e wrong key)', await suite.emulator('auth', { apiKeys: [KEY] }), WRONG_KEY);
		// The playground's credential and example workflows, for the tour.
		const sandbox = await suite.emulator('sandbox', { apiKeys: [DEMO_KEY] });
		sandbox.seed(PLAYGROUND_SEED);
		suite.credentials.sandbox = { ...SANDBOX_CREDENTIAL, type: 'flowellaApi', data: { apiKey: DEMO_KEY, baseUrl: sandbox.url } };
		suite.extraWorkflows.push(...readExamples());
	},
	(suite) => {
		describe('the example workflows run as shipped (against the playground emulator)', () => {
			for (const example of manual) {
				suite.test(example.name, async () => {
					const contactsBefore = suite.emulators.sandbox.contacts.size;
					const run = await suite.n8n.execute(example.id);
					assertSucceeded(run);
					if (example.id === 'flowellaExample4') {
						const [contacts] = nodeOutputs(run.execution, 'All contacts');
						assert.equal(contacts.length, contactsBefore);
						const csv = run.execution.data.resultData.runData['Contacts CSV'][0].data.main[0][0];
						assert.equal(csv.binary.data.fileName, 'flowella-contacts.csv');
					}
				});
			}
		});

		describe('the editor (n8n start)', () => editorTests(suite));
	},
);

/** The editor's checks, on a `n8n start` of the suite's user folder. @param {import('./lib/suite').E2eSuite} suite */
function editorTests(suite) {
	const { emulators, credentials, version } = suite;
	/** @type {Awaited<ReturnType<import('../tools/n8n-harness').N8n['start']>> | undefined} */
	let server;
	/** @type {ReturnType<NonNullable<typeof server>['rest']>} */
	let rest;
	before(async () => {
		server = await suite.n8n.start();
		rest = server.rest();
		await rest.setupOwner(OWNER);
	});
	after(async () => {
		if (server) await server.stop();
	});

	suite.test('lists the Flowella node and credential types', async () => {
		const nodes = await rest.mustRequest('GET', '/types/nodes.json');
		const flowella = nodes.find((/** @type {{ name: string }} */ node) => node.name === NODE_TYPE);
		assert.ok(flowella, `${NODE_TYPE} is not in /types/nodes.json`);
		assert.equal(flowella.displayName, 'Flowella');
		assert.ok(flowella.icon || flowella.iconUrl, 'the node has an icon');
		const credentialTypes = await rest.mustRequest('GET', '/types/credentials.json');
		assert.ok(credentialTypes.find((/** @type {{ name: string }} */ type) => type.name === 'flowellaApi'));
	});

	suite.test('the credential test passes with the right key', async () => {
		const pingsBefore = emulators.main.requestsTo('GET', '/api/v1/ping').length;
		const result = await rest.testCredential(credentials.main);
		assert.equal(result.status, 'OK', JSON.stringify(result));
		const pings = emulators.main.requestsTo('GET', '/api/v1/ping');
		assert.equal(pings.length, pingsBefore + 1);
		assert.equal(pings.at(-1)?.authorization, `Bearer ${KEY}`);
	});

	suite.test('the credential test fails with a wrong key and says why', async () => {
		const result = await rest.testCredential(credentials.wrong);
		assert.equal(result.status, 'Error', JSON.stringify(result));
		// n8n 2.x shows the credential's own message for a 401; n8n 1.x shows its generic one
		// (its credential tester only applies `rules` to errors that carry a raw response).
		assert.match(result.message, version.startsWith('1.') ? /rejected this API key|Authorization failed/ : /rejected this API key/);
		assert.equal(emulators.auth.requestsTo('GET', '/api/v1/ping').at(-1)?.status, 401);
	});

	suite.test(
		'in the browser: the nodes panel lists Flowella with its icon, and an example runs to ContactRows',
		async () => {
			if (!server) throw new Error('n8n did not start');
			const sandbox = emulators.sandbox;
			const sentBefore = sandbox.requestsTo('POST', '/api/v1/contacts').length;
			const tour = await tourEditor({
				url: server.url,
				...OWNER,
				workflowId: 'flowellaExample1',
				screenshotDir: path.join(ROOT, '.e2e', 'screenshots', `n8n-${version}`),
				log,
			});
			assert.equal(tour.nodesPanel.name, 'Flowella');
			if (tour.nodesPanel.description || version.startsWith('2.')) assert.match(tour.nodesPanel.description, /WhatsApp/);
			assert.ok(tour.nodesPanel.hasIcon, 'the nodes panel shows an icon for Flowella');
			assert.match(tour.outputText, /4 items/);
			const sent = sandbox.requestsTo('POST', '/api/v1/contacts').slice(sentBefore);
			const phones = sent.map((request) => /** @type {any} */ (request.body).phone);
			assert.deepEqual([...phones].sort(), ['+15550100199', '+34612345678', '+447700900123', '+525512345678']);
			for (const phone of phones) {
				const row = sandbox.contacts.get(phone);
				assert.ok(row && tour.outputText.includes(row.id), `${phone}'s contact is not shown in the output panel`);
			}
		},
		{ skip: tourUnavailable() },
	);
}
