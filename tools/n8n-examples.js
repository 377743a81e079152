'use strict';
// The playground's example workflows. `node scripts/write-examples.js` rewrites examples/*.json
// from these definitions; `npm start` imports those files (they can also be imported into any
// n8n by hand: Workflows → Import from File, then pick your own Flowella credential).
const fs = require('node:fs');
const path = require('node:path');

const { PLAYGROUND_WEBHOOK } = require('../emulator/webhooks');
const { ROOT, NODE_TYPE, CREDENTIAL_TYPE } = require('./n8n-harness');
const {
	rowsToFlowella,
	flowellaParameters,
	nodeId,
	templateCampaignExample,
	templateFallbackExample,
	aiAgentExample,
	triggerNode,
} = require('./workflows');

const SANDBOX_CREDENTIAL = { id: 'flowellaSandbox1', name: 'Flowella (local sandbox)' };
// What the playground's emulator starts with, so the read operations have something to show.
const PLAYGROUND_SEED = { contacts: 25, conversations: 12, messages: 300 };
const EXAMPLES_DIR = path.join(ROOT, 'examples');

const SHEET_ROWS = [
	{ phone: '+34 612 345 678', name: 'Lucía Fernández', email: 'lucia@example.com', waId: '34612345678' },
	{ phone: '0044 7700 900123', name: 'Oliver Smith', email: 'oliver@example.co.uk', waId: '' },
	{ phone: '(555) 010-0199', name: 'Maya Johnson', email: '', waId: '' },
	{ phone: '+52 55 1234 5678', name: 'Diego Ramírez', email: 'diego@example.mx', waId: '5215512345678' },
];

function examples() {
	return [
		{
			file: 'sheet-rows-to-flowella.json',
			workflow: rowsToFlowella({
				id: 'flowellaExample1',
				name: 'Flowella example: sheet rows → contacts',
				notes:
					'## Sheet rows → Flowella contacts\nThe **Sheet rows** node stands in for a Google Sheets or Airtable read: one item per row.\n\n**Flowella** creates each contact or updates the one with the same phone. Blank cells are skipped (Options → Empty Values).\n\nClick **Execute workflow**, then open the Flowella node to see the ContactRows. Run it twice: the second run updates instead of creating.',
				stages: [
					{
						name: 'Flowella',
						rowsName: 'Sheet rows',
						splitName: 'One item per row',
						credential: SANDBOX_CREDENTIAL,
						parameters: flowellaParameters({ fields: ['name', 'email', 'waId'], options: { defaultCountryCode: '1' } }),
						rows: SHEET_ROWS,
					},
				],
			}),
		},
		{
			file: 'scheduled-sync.json',
			workflow: rowsToFlowella({
				id: 'flowellaExample2',
				name: 'Flowella example: hourly contact sync (inactive)',
				trigger: 'schedule',
				notes:
					'## Hourly sync\nA **Schedule Trigger** pushes the rows to Flowella every hour. It is inactive: publish/activate it to start the schedule, or click **Execute workflow** to run it once now.\n\n**Retry On Fail** is on (node Settings), so rate-limited requests wait and are retried one by one.',
				stages: [
					{
						name: 'Flowella',
						rowsName: 'Sheet rows',
						splitName: 'One item per row',
						credential: SANDBOX_CREDENTIAL,
						parameters: flowellaParameters({ fields: ['name', 'email'], options: { defaultCountryCode: '1' } }),
						settings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 1000 },
						rows: SHEET_ROWS.map(({ phone, name, email }) => ({ phone, name, email })),
					},
				],
			}),
		},
		{
			file: 'error-output-branch.json',
			workflow: rowsToFlowella({
				id: 'flowellaExample3',
				name: 'Flowella example: bad rows go to the error output',
				notes:
					'## Error output\nFlowella\'s **On Error** setting is "Continue (using error output)": good rows come out on the top branch as ContactRows, rows Flowella cannot take (a phone with letters, a broken email) come out on the bottom branch with the reason, and the run goes on.',
				stages: [
					{
						name: 'Flowella',
						rowsName: 'Sheet rows',
						splitName: 'One item per row',
						credential: SANDBOX_CREDENTIAL,
						errorBranch: true,
						okName: 'Upserted',
						fixName: 'Needs fixing',
						rows: [
							{ phone: '+34 699 111 222', name: 'Carmen Ortiz', email: 'carmen@example.com' },
							{ phone: 'ask reception', name: 'Front desk', email: 'desk@example.com' },
							{ phone: '+44 7700 900456', name: 'Harry Jones', email: 'harry-at-example.com' },
							{ phone: '+1 202 555 0143', name: 'Ava Brown', email: '' },
						],
					},
				],
			}),
		},
		{ file: 'export-contacts-to-csv.json', workflow: exportContacts() },
		// Sending: rows → one Template Send to Many job; a text that falls back to a template outside the 24-hour window.
		{ file: 'template-campaign.json', workflow: templateCampaignExample({ id: 'flowellaCampaign', credential: SANDBOX_CREDENTIAL }) },
		{ file: 'template-outside-24-hours.json', workflow: templateFallbackExample({ id: 'flowellaFallback', credential: SANDBOX_CREDENTIAL }) },
		{ file: 'auto-reply.json', workflow: autoReply() },
		// Chat Trigger → AI Agent with the Flowella tools; the playground's stand-in model answers (scripts/start.js).
		{ file: 'ai-agent.json', workflow: aiAgentExample(SANDBOX_CREDENTIAL) },
	];
}

/** Flowella Get Many (Return All) → Convert to File: every contact as a CSV, a sheet's worth. */
function exportContacts() {
	const workflow = rowsToFlowella({
		id: 'flowellaExample4',
		name: 'Flowella example: export all contacts to a spreadsheet file',
		notes:
			'## Export all contacts\n**All contacts** is Flowella → Contact → Get Many with **Return All** on: it follows Flowella\'s pages (100 contacts a request) to the end, one item per contact.\n\n**Contacts CSV** turns them into a file; swap it for Google Sheets → Append Row to write a sheet instead.',
		stages: [
			{
				name: 'All contacts',
				rowsName: 'Start',
				splitName: 'Once',
				credential: SANDBOX_CREDENTIAL,
				parameters: { resource: 'contact', operation: 'getAll', returnAll: true, options: {} },
				rows: [{}],
			},
		],
	});
	workflow.nodes.push({
		parameters: { operation: 'csv', options: { fileName: 'flowella-contacts.csv' } },
		id: nodeId(workflow.id, 'Contacts CSV'),
		name: 'Contacts CSV',
		type: 'n8n-nodes-base.convertToFile',
		typeVersion: 1.1,
		position: [880, 0],
	});
	workflow.connections['All contacts'] = { main: [[{ node: 'Contacts CSV', type: 'main', index: 0 }]] };
	return workflow;
}

/** Flowella Trigger (message.received) → Send Text back to the sender, on the channel it came in on. */
function autoReply() {
	const id = 'flowellaExample5';
	const trigger = triggerNode({
		workflowId: id,
		name: 'New WhatsApp message',
		webhookId: PLAYGROUND_WEBHOOK.webhookId,
		credential: PLAYGROUND_WEBHOOK.credential,
		events: ['message.received'],
	});
	return {
		id,
		name: 'Flowella example: auto-reply to incoming WhatsApp messages',
		nodes: [
			trigger,
			{
				parameters: {
					resource: 'message',
					operation: 'sendText',
					to: '={{ $json.data.from }}',
					text: '=Thanks for your message! We read "{{ $json.data.text }}" and will answer soon.',
					options: { whatsappChannelId: '={{ $json.data.whatsappChannelId }}' },
				},
				id: nodeId(id, 'Reply'),
				name: 'Reply',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [260, 0],
				credentials: { [CREDENTIAL_TYPE]: { id: SANDBOX_CREDENTIAL.id, name: SANDBOX_CREDENTIAL.name } },
			},
			{
				parameters: {
					content:
						'## Auto-reply\n**New WhatsApp message** is a Flowella Trigger for `message.received`: it starts only for events signed with the webhook\'s secret, once per delivery.\n\n**Reply** answers with Send Text on the same channel. A reply to a message the contact just sent is inside WhatsApp\'s 24-hour window, so free-form text is allowed.\n\nIn the playground the workflow is active: `node emulator/webhooks.js` sends it signed events.',
					height: 300,
					width: 420,
				},
				id: nodeId(id, 'Sticky Note'),
				name: 'Sticky Note',
				type: 'n8n-nodes-base.stickyNote',
				typeVersion: 1,
				position: [0, -340],
			},
		],
		connections: { [trigger.name]: { main: [[{ node: 'Reply', type: 'main', index: 0 }]] } },
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		tags: [],
	};
}

/** Writes every example to examples/; returns how many. */
function writeExamples() {
	fs.mkdirSync(EXAMPLES_DIR, { recursive: true });
	const all = examples();
	for (const { file, workflow } of all) {
		fs.writeFileSync(path.join(EXAMPLES_DIR, file), `${JSON.stringify(workflow, null, 2)}\n`);
	}
	return all.length;
}

/** The example workflows as committed in examples/, with their file names, in the playground's order. */
function readExampleFiles() {
	return examples().map(({ file }) => ({ file, workflow: JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) }));
}

/** The example workflows as committed in examples/. */
function readExamples() {
	return readExampleFiles().map(({ workflow }) => workflow);
}

module.exports = { SANDBOX_CREDENTIAL, PLAYGROUND_SEED, EXAMPLES_DIR, readExamples, readExampleFiles, writeExamples };

