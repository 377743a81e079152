'use strict';
// End to end: the sending operations (Message → Send Text, Template → Send to Many, Contact → Opt
// Out) in a real n8n, with the packed package installed as a community package. Workflows run
// with `n8n execute` against Flowella emulators in this process; assertions on the run data and
// on what reached each emulator's handler (`handled`, `duplicates()`): never twice, even when
// n8n's Retry On Fail runs the node again after a send whose answer was lost.
// Run with `FLOWELLA_E2E_FILES=messaging npm run test:e2e`.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, before } = require('node:test');

const { nodeOutputs } = require('../tools/n8n-harness');
const { rowsToFlowella, workflowId, CHANNEL, WELCOME_TEMPLATE, sendTextParameters, templateSendParameters, optOutParameters } = require('../tools/workflows');
const { EXAMPLES_DIR, SANDBOX_CREDENTIAL } = require('../tools/n8n-examples');
const { describeInN8n, log } = require('./lib/suite');

const KEY = 'flo_e2e_messaging_key_0123456789';
const MESSAGES = '/api/v1/messages';
const TEMPLATES_SEND = '/api/v1/templates/send';
const RETRY = { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 };
// A 500 answered after Flowella stored the send: the "may have been sent" case.
/** @type {import('../emulator/server').Fault} */
const LOST_ANSWER = { kind: 'status', status: 500, after: true };
// The shipped sending examples, imported as they are.
const EXAMPLES = {
	campaign: JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, 'template-campaign.json'), 'utf8')),
	fallback: JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, 'template-outside-24-hours.json'), 'utf8')),
};

// Send Text rows: which are sent, and why the others are not.
const OPTED_OUT = '+34600300009';
const OUTSIDE_WINDOW = '+34600300007';
const TEXT_ROWS = [
	{ to: '+34 600 300 001', text: 'Your order #1 has shipped' },
	{ to: '0034 600 300 002', text: 'Your order #2 has shipped' },
	{ to: 'ask at the desk', text: 'Your order #3 has shipped' },
	{ to: '+34600300004', text: '' },
	{ to: '+34600300005', text: 'x'.repeat(4097) },
	{ to: OPTED_OUT, text: 'Your order #6 has shipped' },
	{ to: OUTSIDE_WINDOW, text: 'Your order #7 has shipped' },
	{ to: '+34600300008', text: 'Your order #8 has shipped' },
];
const SENT_TEXT_ITEMS = [0, 1, 7];
// Contacts who wrote in the last 24 hours: free-form text to them is allowed.
const WROTE_RECENTLY = ['+34600300001', '+34600300002', '+34600300004', '+34600300005', OPTED_OUT, '+34600300008'];

const CAMPAIGN_ROWS = Array.from({ length: 200 }, (_, index) => ({
	phone: `+1555020${String(index).padStart(4, '0')}`,
	name: `Customer ${index + 1}`,
}));
const BAD_ROW_CAMPAIGN = [
	{ phone: '+447700900101', name: 'Amelia' },
	{ phone: '+447700900102', name: 'Jack' },
	{ phone: 'no phone', name: 'Walk-in' },
	{ phone: '+447700900104', name: 'Isla' },
	{ phone: '+447700900105', name: 'Noah' },
];

const rowsOf = (prefix, count) =>
	Array.from({ length: count }, (_, index) => ({
		to: `${prefix}${String(index + 1).padStart(2, '0')}`,
		text: `Reminder ${index + 1}: your appointment is tomorrow`,
		phone: `${prefix}${String(index + 1).padStart(2, '0')}`,
		name: `Patient ${index + 1}`,
	}));

function runError(execution) {
	return execution.data.resultData.error;
}

/** Raw output items (json and pairedItem) of a node: `[output0, output1, …]`. */
function rawOutputs(execution, nodeName) {
	return execution.data.resultData.runData[nodeName][0].data.main.map((items) => items ?? []);
}

const pairedIndexes = (item) => [item.pairedItem].flat().map((paired) => paired.item);

/** Every send that reached the emulator's handler did so at most once, and nobody got the same message twice. */
function assertNeverTwice(emulator) {
	const keys = emulator.handled.map((entry) => `${entry.kind} ${entry.key}`);
	assert.equal(new Set(keys).size, keys.length, `a send reached Flowella twice: ${keys.join(' | ')}`);
	assert.deepEqual(emulator.duplicates(), []);
}

describeInN8n(
	'sending (Send Text, Template → Send to Many, Opt Out)',
	async (suite) => {
		const started = Date.now();
		suite.onTearDown(() => log(`[e2e] messaging suite on n8n ${suite.version}: ${((Date.now() - started) / 1000).toFixed(1)} s`));
		const { emulators, workflows } = suite;
		const credential = (/** @type {string} */ name, /** @type {import('../emulator/server').FlowellaEmulator} */ emulator) =>
			suite.credential(name, `Flowella (e2e ${name})`, emulator, KEY, workflowId(`msg${name}`));

		await suite.emulator('sends', { apiKeys: [KEY], freeFormWindowHours: 24 });
		emulators.sends.seed({ inbound: WROTE_RECENTLY.map((phone) => ({ phone })) });
		await suite.emulator('bulk', { apiKeys: [KEY] });
		await suite.emulator('textStop', { apiKeys: [KEY], faults: [{ path: MESSAGES, phone: '+34600400003', ...LOST_ANSWER }] });
		await suite.emulator('rerun', {
			apiKeys: [KEY],
			faults: [
				{ path: MESSAGES, phone: '+34600500001', ...LOST_ANSWER },
				{ path: TEMPLATES_SEND, ...LOST_ANSWER },
			],
		});
		await suite.emulator('changing', { apiKeys: [KEY], faults: [{ path: MESSAGES, phone: '+34600900001', ...LOST_ANSWER }] });
		await suite.emulator('templateStop', { apiKeys: [KEY] });
		await suite.emulator('templateFault', { apiKeys: [KEY], faults: [{ path: TEMPLATES_SEND, ...LOST_ANSWER }] });
		// The shipped examples' credential, on an emulator with the 24-hour rule on: Lucía wrote today, Oliver did not.
		await suite.emulator('examples', { apiKeys: [KEY], freeFormWindowHours: 24 });
		emulators.examples.seed({ inbound: [{ phone: '+34612345678' }] });

		const sends = credential('sends', emulators.sends);
		const bulk = credential('bulk', emulators.bulk);
		suite.credential('examples', SANDBOX_CREDENTIAL.name, emulators.examples, KEY, SANDBOX_CREDENTIAL.id);

		workflows.sends = rowsToFlowella({
			id: workflowId('e2eMsgSends'),
			name: 'e2e: opt out, send texts, template campaigns',
			stages: [
				{
					name: 'Opt Out',
					credential: sends,
					parameters: optOutParameters(),
					rows: [{ phone: '+34 600 300 009', reason: 'Replied STOP' }],
				},
				{ name: 'Send Text', credential: sends, errorBranch: true, parameters: sendTextParameters(), rows: TEXT_ROWS },
				{ name: 'Campaign', credential: bulk, parameters: templateSendParameters(), rows: CAMPAIGN_ROWS },
				{
					name: 'Campaign with a bad row',
					credential: bulk,
					errorBranch: true,
					parameters: templateSendParameters(),
					rows: BAD_ROW_CAMPAIGN,
				},
			],
		});
		workflows.textStop = rowsToFlowella({
			id: workflowId('e2eMsgTextStop'),
			name: 'e2e: Send Text, answer lost, Retry On Fail, Stop Workflow',
			stages: [
				{
					name: 'Send Text',
					credential: credential('textStop', emulators.textStop),
					parameters: sendTextParameters(),
					settings: RETRY,
					rows: rowsOf('+346004000', 6),
				},
			],
		});
		const rerun = credential('rerun', emulators.rerun);
		workflows.rerun = rowsToFlowella({
			id: workflowId('e2eMsgRerun'),
			name: 'e2e: answers lost, Retry On Fail, On Error = Continue',
			stages: [
				{
					name: 'Send Text',
					credential: rerun,
					parameters: sendTextParameters(),
					settings: { ...RETRY, onError: 'continueRegularOutput' },
					rows: rowsOf('+346005000', 4),
				},
				{
					name: 'Campaign',
					credential: rerun,
					parameters: templateSendParameters(),
					settings: { ...RETRY, onError: 'continueRegularOutput' },
					rows: rowsOf('+346006000', 3),
				},
			],
		});
		// Fields that n8n evaluates to something new on every try ($now): a re-run still sends nothing again.
		const changing = credential('changing', emulators.changing);
		workflows.changingText = rowsToFlowella({
			id: workflowId('e2eMsgNowText'),
			name: 'e2e: Send Text with $now, an answer lost first, Retry On Fail, On Error = Continue',
			stages: [
				{
					name: 'Send Text',
					credential: changing,
					parameters: sendTextParameters({ text: '=Hi {{ $json.name }}, today {{ $now.toFormat("HH:mm:ss.SSS") }}' }),
					settings: { ...RETRY, onError: 'continueRegularOutput' },
					rows: rowsOf('+346009000', 3),
				},
			],
		});
		workflows.changingJobs = rowsToFlowella({
			id: workflowId('e2eMsgNowJobs'),
			name: 'e2e: Send to Many with $now in Scheduled At, a refused job, Retry On Fail, Stop Workflow',
			stages: [
				{
					name: 'Campaign',
					credential: changing,
					parameters: templateSendParameters({
						templateId: '={{ $json.template }}',
						options: { scheduledAt: "={{ $now.plus(1, 'hour').toISO() }}" },
					}),
					settings: RETRY,
					// The second row's template has no body placeholder: Flowella refuses its job (400).
					rows: [
						{ phone: '+34600910001', name: 'Ada', template: WELCOME_TEMPLATE },
						{ phone: '+34600910002', name: 'Bea', template: 'tpl_order_update' },
					],
				},
			],
		});
		workflows.templateStop = rowsToFlowella({
			id: workflowId('e2eMsgTplStop'),
			name: 'e2e: Template Send to Many, a bad row, Stop Workflow',
			stages: [
				{
					name: 'Campaign',
					credential: credential('templateStop', emulators.templateStop),
					parameters: templateSendParameters(),
					rows: [...rowsOf('+346007000', 3), { phone: '12', name: 'Too short' }, ...rowsOf('+346007100', 2)],
				},
			],
		});
		workflows.templateFault = rowsToFlowella({
			id: workflowId('e2eMsgTplFault'),
			name: 'e2e: Template Send to Many, answer lost, Retry On Fail',
			stages: [
				{
					name: 'Campaign',
					credential: credential('templateFault', emulators.templateFault),
					parameters: templateSendParameters(),
					settings: RETRY,
					rows: rowsOf('+346008000', 10),
				},
			],
		});
		suite.extraWorkflows.push(...Object.values(EXAMPLES));
	},
	(suite) => {
		const { workflows } = suite;
		// The emulators' request logs hold bodies of any shape: read loosely, as the checks below do.
		/** @type {Record<string, any>} */
		const emulators = suite.emulators;
		const test = (/** @type {string} */ name, /** @type {(t: import('node:test').TestContext) => unknown} */ fn) => suite.test(name, fn);

		describe('opt out, send texts, send template campaigns (one run)', () => {
			let run;
			before(async () => {
				run = await suite.n8n.execute(workflows.sends.id);
				await emulators.bulk.settleJobs();
			});

			test('the workflow succeeds', () => {
				assert.equal(run.code, 0, run.stdout + run.stderr);
				assert.equal(runError(run.execution), undefined);
			});

			test('Opt Out sets the opt-out on the channel, with the reason', () => {
				const [[state]] = nodeOutputs(run.execution, 'Opt Out');
				assert.equal(state.active, true);
				assert.match(state.optOutId, /^oo_/);
				assert.equal(state.revokedAt, null);
				const stored = emulators.sends.optOuts.get(`${CHANNEL} ${OPTED_OUT}`);
				assert.equal(stored.id, state.optOutId);
				assert.equal(stored.reason, 'Replied STOP');
				assert.deepEqual(emulators.sends.requestsTo('POST', '/api/v1/opt-outs').map((request) => request.body), [
					{ action: 'set', whatsappChannelId: CHANNEL, phone: OPTED_OUT, reason: 'Replied STOP' },
				]);
			});

			test("Send Text: one message per valid row, Flowella's answer paired with its item", () => {
				const [sent, errors] = rawOutputs(run.execution, 'Send Text');
				assert.deepEqual(sent.map(pairedIndexes), SENT_TEXT_ITEMS.map((index) => [index]));
				assert.equal(errors.length, TEXT_ROWS.length - SENT_TEXT_ITEMS.length);
				for (const { json } of sent) {
					const stored = emulators.sends.messages.find((message) => message.id === json.id);
					assert.ok(stored, `${json.id} is not a message Flowella stored`);
					assert.deepEqual(json, { id: stored.id, conversationId: stored.conversationId, contactId: stored.contactId, metaMessageId: stored.metaMessageId });
				}
				const outbound = emulators.sends.messages.filter((message) => message.direction === 'outbound');
				assert.deepEqual(
					outbound.map(({ to, text }) => ({ to, text })),
					[
						{ to: '+34600300001', text: TEXT_ROWS[0].text },
						{ to: '+34600300002', text: TEXT_ROWS[1].text },
						{ to: '+34600300008', text: TEXT_ROWS[7].text },
					],
				);
			});

			test('Send Text: a bad phone, an empty text and 4,097 characters are error items, and nothing is sent for them', () => {
				const [, errors] = rawOutputs(run.execution, 'Send Text');
				const byItem = new Map(errors.map((item) => [pairedIndexes(item)[0], item.json]));
				assert.match(byItem.get(2).error, /Invalid To "ask at the desk" \[item 2\]/);
				assert.match(byItem.get(3).error, /Invalid Text .*\[item 3\]: it is empty/);
				assert.match(byItem.get(4).error, /Invalid Text .*\[item 4\]: it is 4097 characters long; Flowella accepts at most 4096/);
				for (const index of [2, 3, 4]) assert.match(byItem.get(index).message, /nothing was sent/);
				// n8n merges the input row into an error item: the error branch knows whom it was for.
				assert.equal(byItem.get(2).to, 'ask at the desk');
				const tried = emulators.sends.requestsTo('POST', MESSAGES).map((request) => request.body.to);
				assert.deepEqual(tried.sort(), ['+34600300001', '+34600300002', OUTSIDE_WINDOW, '+34600300008', OPTED_OUT].sort());
			});

			test('Send Text to the opted-out contact: a 403 error item that says the contact opted out', () => {
				const [, errors] = rawOutputs(run.execution, 'Send Text');
				const item = errors.find((error) => pairedIndexes(error)[0] === 5).json;
				assert.match(item.error, /403 CONTACT_OPTED_OUT.*\[item 5\]/);
				assert.match(item.message, /opted out of WhatsApp messages on this channel.*nothing was sent/i);
				assert.equal(emulators.sends.messagesTo(OPTED_OUT).length, 0);
			});

			test('Send Text outside the 24-hour window: a 400 error item that says to send a template', () => {
				const [, errors] = rawOutputs(run.execution, 'Send Text');
				const item = errors.find((error) => pairedIndexes(error)[0] === 6).json;
				assert.match(item.error, /400 META_REJECTED.*\[item 6\]/);
				assert.match(item.message, /within 24 hours/);
				assert.match(item.message, /template instead \(Template → Send to Many/);
				assert.equal(emulators.sends.messagesTo(OUTSIDE_WINDOW).length, 0);
			});

			test('Send to Many: 200 rows are one POST /templates/send, one output item with recipientCount 200 paired with all of them', () => {
				const [[job]] = rawOutputs(run.execution, 'Campaign');
				assert.equal(rawOutputs(run.execution, 'Campaign')[0].length, 1);
				assert.deepEqual(pairedIndexes(job), CAMPAIGN_ROWS.map((_, index) => index));
				assert.match(job.json.id, /^job_/);
				assert.equal(job.json.templateId, WELCOME_TEMPLATE);
				assert.equal(job.json.recipientCount, 200);
				const [request] = emulators.bulk.requestsTo('POST', TEMPLATES_SEND);
				assert.equal(request.status, 200);
				assert.equal(request.body.templateId, WELCOME_TEMPLATE);
				assert.equal(request.body.whatsappChannelId, CHANNEL);
				assert.deepEqual(
					request.body.recipients,
					CAMPAIGN_ROWS.map(({ phone, name }) => ({ phone, bodyParameters: [name] })),
				);
				assert.equal(emulators.bulk.jobs[0].id, job.json.id);
			});

			test('Send to Many with an invalid row (error output): one error item, the other rows in one job', () => {
				const [[job, ...more], errors] = rawOutputs(run.execution, 'Campaign with a bad row');
				assert.deepEqual(more, []);
				assert.deepEqual(pairedIndexes(job), [0, 1, 3, 4]);
				assert.equal(job.json.recipientCount, 4);
				assert.equal(errors.length, 1);
				assert.deepEqual(pairedIndexes(errors[0]), [2]);
				assert.match(errors[0].json.error, /Invalid Phone "no phone" \[item 2\]/);
				const requests = emulators.bulk.requestsTo('POST', TEMPLATES_SEND);
				assert.equal(requests.length, 2);
				assert.deepEqual(
					requests[1].body.recipients.map((recipient) => recipient.phone),
					['+447700900101', '+447700900102', '+447700900104', '+447700900105'],
				);
			});

			test('every recipient of both jobs gets the template once', () => {
				const templated = emulators.bulk.messages.filter((message) => message.jobId !== null);
				assert.equal(templated.length, 204);
				assertNeverTwice(emulators.bulk);
				assertNeverTwice(emulators.sends);
			});
		});

		describe('never twice: Send Text, an answer lost (500 after storing), Retry On Fail, Stop Workflow', () => {
			let run;
			before(async () => {
				run = await suite.n8n.execute(workflows.textStop.id, { countNodeRuns: true });
			});

			test('n8n ran the node 3 times (Max. Tries) and the execution fails saying the message may have been sent', () => {
				assert.notEqual(run.code, 0);
				assert.equal(run.nodeRuns('Send Text'), 3);
				const error = runError(run.execution);
				assert.match(error.message, /500 .*may have been sent, so it was not retried.*\[item 2\]/);
				assert.match(`${error.description}`, /check in Flowella before sending it again/);
				assert.match(`${error.description}`, /Retry On Fail ran the node again; this was not sent again/);
			});

			test('the message whose answer was lost reached Flowella once; no message reached it twice', () => {
				const emulator = emulators.textStop;
				assert.equal(emulator.requestsTo('POST', MESSAGES).filter((request) => request.body.to === '+34600400003').length, 1);
				assert.equal(emulator.messagesTo('+34600400003').length, 1);
				assert.ok(emulator.handled.length >= 3, `${emulator.handled.length} messages`);
				assertNeverTwice(emulator);
				// A phone is requested again only after a try that never sent it.
				const tos = emulator.requestsTo('POST', MESSAGES).map((request) => request.body.to);
				assert.equal(new Set(tos).size, tos.length, tos.join(', '));
			});
		});

		describe('never twice: answers lost, Retry On Fail, On Error = Continue (regular output)', () => {
			let run;
			before(async () => {
				run = await suite.n8n.execute(workflows.rerun.id);
				await emulators.rerun.settleJobs();
			});

			test('the workflow succeeds', () => {
				assert.equal(run.code, 0, run.stdout + run.stderr);
				assert.equal(runError(run.execution), undefined);
			});

			test('Send Text: n8n re-ran the node for its first error item; nothing was sent again', () => {
				const [items] = nodeOutputs(run.execution, 'Send Text');
				assert.equal(items.length, 4);
				assert.match(items[0].error, /may have been sent, so it was not retried.*\[item 0\]/);
				// Said only by a re-run that found the earlier try's outcome: n8n ran the node again.
				assert.match(items[0].message, /Retry On Fail ran the node again; this was not sent again/);
				for (const item of items.slice(1)) assert.match(item.id, /^msg_/);
				const requests = emulators.rerun.requestsTo('POST', MESSAGES);
				assert.equal(requests.length, 4);
				assert.deepEqual(
					emulators.rerun.handled.filter((entry) => entry.kind === 'message').map((entry) => entry.id),
					emulators.rerun.messages.filter((message) => message.jobId === null).map((message) => message.id),
				);
			});

			test('Send to Many: the job whose answer was lost was created once', () => {
				const [items] = nodeOutputs(run.execution, 'Campaign');
				assert.equal(items.length, 1);
				assert.match(items[0].error, /bulk send job may have been sent, so it was not retried.*\[items 0–2\]/);
				assert.match(items[0].message, /Retry On Fail ran the node again; this was not sent again/);
				assert.equal(emulators.rerun.requestsTo('POST', TEMPLATES_SEND).length, 1);
				assert.equal(emulators.rerun.jobs.length, 1);
				assert.equal(emulators.rerun.messages.filter((message) => message.jobId !== null).length, 3);
				assertNeverTwice(emulators.rerun);
			});
		});

		describe('never twice when fields change between tries: Send Text with $now, Retry On Fail, On Error = Continue', () => {
			let run;
			before(async () => {
				run = await suite.n8n.execute(workflows.changingText.id, { countNodeRuns: true });
			});

			test('n8n re-ran the node for its first error item (its text changed each time); each row got one message', () => {
				assert.equal(run.code, 0, run.stdout + run.stderr);
				const [items] = nodeOutputs(run.execution, 'Send Text');
				assert.equal(items.length, 3);
				assert.match(items[0].error, /may have been sent, so it was not retried.*\[item 0\]/);
				// Said only by a re-run that found the earlier try's outcome: n8n ran the node again.
				assert.match(items[0].message, /Retry On Fail ran the node again; this was not sent again/);
				for (const item of items.slice(1)) assert.match(item.id, /^msg_/);
				const tos = emulators.changing.requestsTo('POST', MESSAGES).map((request) => request.body.to);
				assert.deepEqual(tos.sort(), ['+34600900001', '+34600900002', '+34600900003']);
				assert.equal(emulators.changing.handled.filter((entry) => entry.kind === 'message').length, 3);
			});
		});

		describe('never twice when fields change between tries: Send to Many with $now in Scheduled At, Stop Workflow', () => {
			let run;
			before(async () => {
				run = await suite.n8n.execute(workflows.changingJobs.id, { countNodeRuns: true });
			});

			test('n8n ran the node 3 times; the first job was created once and the error names it', () => {
				assert.notEqual(run.code, 0);
				assert.equal(run.nodeRuns('Campaign'), 3);
				const jobs = emulators.changing.jobs.filter((job) => job.templateId === WELCOME_TEMPLATE);
				assert.equal(jobs.length, 1);
				const error = runError(run.execution);
				assert.match(error.message, /^Flowella answered 400/);
				assert.match(`${error.description}`, new RegExp(`1 other bulk send job was created before the node stopped \\(${jobs[0].id} for item 0\\)`));
			});
		});

		describe('Send to Many, a bad row, On Error = Stop Workflow', () => {
			let run;
			before(async () => {
				run = await suite.n8n.execute(workflows.templateStop.id);
			});

			test('the execution fails naming the bad row, and nothing is sent', () => {
				assert.notEqual(run.code, 0);
				assert.match(runError(run.execution).message, /Invalid Phone "12" \[item 3\]/);
				assert.equal(emulators.templateStop.requests.filter((request) => request.path.startsWith('/api/')).length, 0);
				assert.equal(emulators.templateStop.jobs.length, 0);
			});
		});

		describe('never twice: Send to Many, the answer lost, Retry On Fail, Stop Workflow', () => {
			let run;
			before(async () => {
				run = await suite.n8n.execute(workflows.templateFault.id, { countNodeRuns: true });
				await emulators.templateFault.settleJobs();
			});

			test('n8n ran the node 3 times; one job only, each recipient messaged once', () => {
				assert.notEqual(run.code, 0);
				assert.equal(run.nodeRuns('Campaign'), 3);
				assert.match(runError(run.execution).message, /bulk send job may have been sent, so it was not retried.*\[items 0–9\]/);
				assert.equal(emulators.templateFault.requestsTo('POST', TEMPLATES_SEND).length, 1);
				assert.equal(emulators.templateFault.jobs.length, 1);
				assert.equal(emulators.templateFault.messages.length, 10);
				assertNeverTwice(emulators.templateFault);
			});
		});

		describe('the shipped sending examples (against an emulator with the 24-hour rule on)', () => {
			test('"Send a template campaign to sheet rows": one job for the four rows, names as the body parameter', async () => {
				const run = await suite.n8n.execute(EXAMPLES.campaign.id);
				assert.equal(run.code, 0, run.stdout + run.stderr);
				const [[job]] = nodeOutputs(run.execution, 'Send welcome template');
				assert.equal(job.recipientCount, 4);
				const requests = emulators.examples.requestsTo('POST', TEMPLATES_SEND);
				assert.equal(requests.length, 1);
				assert.deepEqual(
					requests[0].body.recipients,
					[
						{ phone: '+34612345678', bodyParameters: ['Lucía'] },
						{ phone: '+447700900123', bodyParameters: ['Oliver'] },
						{ phone: '+15550100199', bodyParameters: ['Maya'] },
						{ phone: '+525512345678', bodyParameters: ['Diego'] },
					],
				);
			});

			test('"Reply with a template outside the 24-hour window": a text to who wrote today, a template to who did not, a bad phone aside', async () => {
				const sentBefore = emulators.examples.requestsTo('POST', TEMPLATES_SEND).length;
				const run = await suite.n8n.execute(EXAMPLES.fallback.id);
				assert.equal(run.code, 0, run.stdout + run.stderr);
				const [texts] = nodeOutputs(run.execution, 'Sent as text');
				assert.equal(texts.length, 1);
				const [[job]] = nodeOutputs(run.execution, 'Send template instead');
				assert.equal(job.recipientCount, 1);
				const [others] = nodeOutputs(run.execution, 'Other errors');
				assert.equal(others.length, 1);
				assert.match(others[0].error, /Invalid To "ask reception" \[item 2\]/);
				const lucia = emulators.examples.messagesTo('+34612345678').filter((message) => message.jobId === null);
				assert.deepEqual(lucia.map((message) => message.id), [texts[0].id]);
				const requests = emulators.examples.requestsTo('POST', TEMPLATES_SEND).slice(sentBefore);
				assert.equal(requests.length, 1);
				assert.deepEqual(requests[0].body.recipients, [{ phone: '+447700900123', bodyParameters: ['Oliver'] }]);
				assert.equal(emulators.examples.requestsTo('POST', MESSAGES).filter((request) => request.body.to === '+447700900123')[0].status, 400);
			});
		});
	},
);
