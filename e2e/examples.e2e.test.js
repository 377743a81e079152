'use strict';
// End to end: every shipped example workflow (examples/*.json) that `n8n execute` can start (a
// Manual Trigger) runs as shipped in a real n8n, against the playground's seeded emulator.
// Run with `FLOWELLA_E2E_FILES=examples npm run test:e2e`.
const assert = require('node:assert/strict');

const { nodeOutputs } = require('../tools/n8n-harness');
const { readExamples, SANDBOX_CREDENTIAL, PLAYGROUND_SEED } = require('../tools/n8n-examples');
const { DEMO_KEY } = require('../emulator/cli');
const { describeInN8n, assertSucceeded } = require('./lib/suite');

// `n8n execute` starts only workflows with a Manual Trigger; the scheduled and triggered ones run in the editor.
const manual = readExamples().filter((example) => example.nodes.some((/** @type {{ type: string }} */ node) => node.type === 'n8n-nodes-base.manualTrigger'));

describeInN8n(
	'the example workflows run as shipped (against the playground emulator)',
	async (suite) => {
		const sandbox = await suite.emulator('sandbox', { apiKeys: [DEMO_KEY] });
		sandbox.seed(PLAYGROUND_SEED);
		suite.credentials.sandbox = { ...SANDBOX_CREDENTIAL, type: 'flowellaApi', data: { apiKey: DEMO_KEY, baseUrl: sandbox.url } };
		suite.extraWorkflows.push(...readExamples());
	},
	(suite) => {
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
	},
);
