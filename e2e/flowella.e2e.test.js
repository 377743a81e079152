'use strict';
// End-to-end: the packed package installed as a community package into a real n8n, workflows
// run with `n8n execute` against the Flowella emulator (in this process), assertions on the JSON
// run data and on the emulator's request log. The same suite runs on every selected n8n version.
// Run it with `npm run test:e2e` (e2e/run.js), or `node --test e2e/` after `npm run build`.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, it, before, after } = require('node:test');

const { startEmulator } = require('../emulator/server');
const { N8n, NODE_TYPE, ROOT, nodeOutputs, killChildrenOnSignals } = require('../scripts/n8n-harness');
const { rowsToFlowella, flowellaParameters, workflowId } = require('../scripts/n8n-workflows');
const { readExamples, SANDBOX_CREDENTIAL, PLAYGROUND_SEED } = require('../scripts/n8n-examples');
const { DEMO_KEY } = require('../emulator/cli');
const { selectedVersions, packageTarball, freshUserFolder, keepFolders } = require('./lib/context');
const { tourEditor, tourUnavailable } = require('./lib/editor-tour');

const KEY = 'flo_e2e_good_key_0123456789';
const WRONG_KEY = 'flo_e2e_wrong_key_9876543210';
const CONTACTS = '/api/v1/contacts';
const STORM_LIMIT = { ratePerSec: 2, burst: 3, retryAfter: 'seconds' };
const STORM_ROWS = Array.from({ length: 12 }, (_, index) => ({
	phone: `+1555010${String(index).padStart(4, '0')}`,
	name: `Storm contact ${index + 1}`,
	email: `storm${index + 1}@example.com`,
}));
const ALL_FIELDS = flowellaParameters({ fields: ['name', 'email', 'waId'] });
const log = (line) => process.stderr.write(`${line}\n`);
killChildrenOnSignals();

const E164 = /^\+[1-9]\d{1,14}$/;
function assertContactRow(row) {
	assert.equal(typeof row, 'object');
	assert.match(row.id, /^ct_/);
	assert.match(row.phone, E164);
	for (const field of ['name', 'email', 'waId']) assert.ok(row[field] === null || typeof row[field] === 'string', field);
	assert.equal(typeof row.isOptedOut, 'boolean');
	assert.ok(!Number.isNaN(Date.parse(row.createdAt)) && !Number.isNaN(Date.parse(row.updatedAt)));
	assert.equal(row.error, undefined);
}

function bodies(emulator) {
	return emulator.requestsTo('POST', CONTACTS).map((request) => request.body);
}

/** Request bodies sorted by phone: the node sends up to Parallel Requests (default 5) at once. */
function byPhone(list) {
	return [...list].sort((a, b) => a.phone.localeCompare(b.phone));
}

/** The node's default Parallel Requests: at most this many requests are in flight. */
const DEFAULT_CONCURRENCY = 5;

/** No phone is sent more than once: asserts that nothing was retried. */
function assertEachPhoneOnce(requests) {
	const phones = requests.map((request) => request.body.phone);
	assert.equal(new Set(phones).size, phones.length, `a phone was sent twice: ${phones.join(', ')}`);
}

/** No request body ever carries an empty string: blanks are skipped or sent as null. */
function assertNoEmptyStrings(emulator) {
	for (const body of bodies(emulator)) {
		for (const [field, value] of Object.entries(body)) assert.notEqual(value, '', `${field} was sent as ""`);
	}
}

function runError(execution) {
	return execution.data.resultData.error;
}

for (const version of selectedVersions()) {
	describe(`n8n ${version}`, { timeout: 15 * 60_000 }, () => {
		/** @type {N8n} */
		let n8n;
		let userFolder;
		const emulators = {};
		const credentials = {};
		const workflows = {};
		let failed = false;

		const credential = (name, label, emulator, apiKey = KEY) => {
			credentials[name] = {
				id: workflowId(`cred${name}`),
				name: label,
				type: 'flowellaApi',
				data: { apiKey, baseUrl: emulator.url },
			};
			return credentials[name];
		};

		before(async () => {
			failed = true; // until the set-up finishes: keeps the user folder for a look
			const tgz = await packageTarball(log);
			emulators.main = await startEmulator({ apiKeys: [KEY] });
			emulators.rows = await startEmulator({ apiKeys: [KEY] });
			emulators.auth = await startEmulator({ apiKeys: [KEY] });
			emulators.stormOn = await startEmulator({ apiKeys: [KEY], rateLimit: STORM_LIMIT });
			emulators.stormOff = await startEmulator({ apiKeys: [KEY], rateLimit: STORM_LIMIT });
			emulators.sandbox = await startEmulator({ apiKeys: [DEMO_KEY] });
			emulators.sandbox.seed(PLAYGROUND_SEED);
			emulators.reads = await startEmulator({ apiKeys: [KEY] });
			emulators.reads.seed({ contacts: 250, conversations: 40, messages: 50, messagesUntil: '2026-01-01T10:00:00.000Z' });
			// The playground's credential and example workflows, for the editor tour.
			credentials.sandbox = { ...SANDBOX_CREDENTIAL, type: 'flowellaApi', data: { apiKey: DEMO_KEY, baseUrl: emulators.sandbox.url } };

			const main = credential('main', 'Flowella (e2e)', emulators.main);
			const rows = credential('rows', 'Flowella (e2e rows)', emulators.rows);
			const wrong = credential('wrong', 'Flowella (e2e wrong key)', emulators.auth, WRONG_KEY);
			const stormOn = credential('stormOn', 'Flowella (e2e storm, retry on)', emulators.stormOn);
			const stormOff = credential('stormOff', 'Flowella (e2e storm, retry off)', emulators.stormOff);
			const reads = credential('reads', 'Flowella (e2e reads)', emulators.reads);

			workflows.lifecycle = rowsToFlowella({
				id: workflowId('e2eLifecycle'),
				name: 'e2e: create, update, clear',
				stages: [
					{
						name: 'Create',
						credential: main,
						parameters: ALL_FIELDS,
						rows: [
							{ phone: '+34 612 00 00 01', name: 'Ana Ruiz', email: 'ana@example.com', waId: '34612000001' },
							{ phone: '0034 (612) 000-002', name: 'Bruno Díaz', email: 'bruno@example.com', waId: '' },
							{ phone: '447700900003', name: 'Chloe', email: '', waId: '' },
						],
					},
					{
						name: 'Update',
						credential: main,
						parameters: ALL_FIELDS,
						rows: [
							{ phone: '+34612000001', name: 'Ana Ruiz Gómez', email: '', waId: '' },
							{ phone: '+34612000002', name: '', email: 'bruno@new.example.com', waId: '34612000002' },
						],
					},
					{
						name: 'Clear',
						credential: main,
						parameters: flowellaParameters({ fields: ['name', 'email', 'waId'], options: { emptyValues: 'clear' } }),
						rows: [{ phone: '+34612000001', name: 'Ana', email: '', waId: '' }],
					},
				],
			});
			workflows.badRow = rowsToFlowella({
				id: workflowId('e2eBadRow'),
				name: 'e2e: one bad phone, error output',
				stages: [
					{
						name: 'Flowella',
						credential: rows,
						errorBranch: true,
						rows: [
							{ phone: '+34600100001', name: 'First', email: 'first@example.com' },
							{ phone: '+34600100002', name: 'Second', email: '' },
							{ phone: 'call me maybe', name: 'Bad phone', email: 'bad@example.com' },
							{ phone: '+34600100004', name: 'Fourth', email: 'fourth@example.com' },
						],
					},
				],
			});
			workflows.wrongKey = rowsToFlowella({
				id: workflowId('e2eWrongKey'),
				name: 'e2e: wrong API key',
				stages: [
					{
						name: 'Flowella',
						credential: wrong,
						rows: [
							{ phone: '+34600200001', name: 'Nobody' },
							{ phone: '+34600200002', name: 'Nobody either' },
						],
					},
				],
			});
			workflows.wrongKeyRetried = rowsToFlowella({
				id: workflowId('e2eWrongKeyRetry'),
				name: 'e2e: wrong API key, Retry On Fail on',
				stages: [
					{
						name: 'Flowella',
						credential: wrong,
						rows: [{ phone: '+34600200003', name: 'Nobody' }],
						settings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 },
					},
				],
			});
			workflows.stormOn = rowsToFlowella({
				id: workflowId('e2eStormRetryOn'),
				name: 'e2e: 429 storm, Retry On Fail on',
				stages: [
					{
						name: 'Flowella',
						credential: stormOn,
						rows: STORM_ROWS,
						settings: { retryOnFail: true, maxTries: 5, waitBetweenTries: 200 },
					},
				],
			});
			workflows.stormOff = rowsToFlowella({
				id: workflowId('e2eStormRetryOff'),
				name: 'e2e: 429 storm, Retry On Fail off',
				stages: [{ name: 'Flowella', credential: stormOff, rows: STORM_ROWS }],
			});

			workflows.reads = rowsToFlowella({
				id: workflowId('e2eReads'),
				name: 'e2e: read operations',
				stages: [
					{ name: 'All contacts', credential: reads, rows: [{}], parameters: { resource: 'contact', operation: 'getAll', returnAll: true, options: {} } },
					{
						name: 'Open conversations',
						credential: reads,
						rows: [{}],
						parameters: { resource: 'conversation', operation: 'getAll', returnAll: false, limit: 5, filters: { status: 'OPEN' }, options: {} },
					},
					{
						name: 'Message stats',
						credential: reads,
						rows: [{}],
						parameters: { resource: 'analytics', operation: 'getOutbound', startDate: '2026-01-01T10:00:00', endDate: '2026-01-01T11:00:00', options: {} },
					},
				],
			});
			// Dates without a zone are in the workflow's timezone: Madrid is UTC+1 in January.
			workflows.reads.settings.timezone = 'Europe/Madrid';

			userFolder = freshUserFolder(version);
			log(`[e2e] n8n ${version}: user folder ${userFolder}`);
			n8n = await N8n.prepare({ version, tgz, userFolder, log });
			await n8n.importCredentials(Object.values(credentials));
			await n8n.importWorkflows([...Object.values(workflows), ...readExamples()]);
			failed = false;
		});

		after(async () => {
			await Promise.all(Object.values(emulators).map((emulator) => emulator.close()));
			if (n8n) log(`[e2e] n8n ${version} process timings: ${n8n.timings.map((t) => `${t.command} ${(t.ms / 1000).toFixed(1)}s`).join(', ')}`);
			if (userFolder && !failed && !keepFolders()) fs.rmSync(userFolder, { recursive: true, force: true });
		});

		const test = (name, fn) =>
			it(name, async (t) => {
				try {
					await fn(t);
				} catch (error) {
					failed = true;
					throw error;
				}
			});

		test('loads the package as a community package (node type n8n-nodes-flowella.flowella)', () => {
			assert.equal(NODE_TYPE, 'n8n-nodes-flowella.flowella');
			const installed = `${userFolder}/.n8n/nodes/node_modules/n8n-nodes-flowella/package.json`;
			assert.ok(fs.existsSync(installed));
			assert.ok(!fs.existsSync(`${userFolder}/.n8n/nodes/node_modules/n8n-nodes-flowella/node_modules/n8n-workflow`));
		});

		describe('create, update, clear', () => {
			let run;
			before(async () => {
				run = await n8n.execute(workflows.lifecycle.id);
			});

			test('the workflow succeeds', () => {
				assert.equal(run.code, 0, run.stdout + run.stderr);
				assert.equal(runError(run.execution), undefined);
			});

			test('creates contacts with cleaned-up phones and skips blank cells', () => {
				const [created, errors = []] = nodeOutputs(run.execution, 'Create');
				assert.equal(errors.length, 0);
				assert.equal(created.length, 3);
				created.forEach(assertContactRow);
				assert.deepEqual(
					created.map((row) => row.phone),
					['+34612000001', '+34612000002', '+447700900003'],
				);
				assert.deepEqual(
					created.map(({ name, email, waId }) => ({ name, email, waId })),
					[
						{ name: 'Ana Ruiz', email: 'ana@example.com', waId: '34612000001' },
						{ name: 'Bruno Díaz', email: 'bruno@example.com', waId: null },
						{ name: 'Chloe', email: null, waId: null },
					],
				);
				const sent = byPhone(bodies(emulators.main).slice(0, 3));
				assert.deepEqual(sent, [
					{ phone: '+34612000001', name: 'Ana Ruiz', email: 'ana@example.com', waId: '34612000001' },
					{ phone: '+34612000002', name: 'Bruno Díaz', email: 'bruno@example.com' },
					{ phone: '+447700900003', name: 'Chloe' },
				]);
			});

			test('updates the same contacts: changed fields change, blank cells leave stored values alone', () => {
				const [created] = nodeOutputs(run.execution, 'Create');
				const [updated, errors = []] = nodeOutputs(run.execution, 'Update');
				assert.equal(errors.length, 0);
				assert.equal(updated.length, 2);
				updated.forEach(assertContactRow);
				assert.deepEqual(
					updated.map((row) => row.id),
					created.slice(0, 2).map((row) => row.id),
				);
				assert.deepEqual(
					updated.map(({ name, email, waId }) => ({ name, email, waId })),
					[
						{ name: 'Ana Ruiz Gómez', email: 'ana@example.com', waId: '34612000001' },
						{ name: 'Bruno Díaz', email: 'bruno@new.example.com', waId: '34612000002' },
					],
				);
				for (const row of updated) assert.ok(Date.parse(row.updatedAt) > Date.parse(row.createdAt));
				const sent = byPhone(bodies(emulators.main).slice(3, 5));
				assert.deepEqual(sent, [
					{ phone: '+34612000001', name: 'Ana Ruiz Gómez' },
					{ phone: '+34612000002', email: 'bruno@new.example.com', waId: '34612000002' },
				]);
			});

			test('Empty Values = Clear sends null and Flowella erases the fields', () => {
				const [cleared] = nodeOutputs(run.execution, 'Clear');
				assert.equal(cleared.length, 1);
				assertContactRow(cleared[0]);
				assert.deepEqual(
					{ name: cleared[0].name, email: cleared[0].email, waId: cleared[0].waId },
					{ name: 'Ana', email: null, waId: null },
				);
				assert.deepEqual(bodies(emulators.main)[5], { phone: '+34612000001', name: 'Ana', email: null, waId: null });
				assert.equal(emulators.main.contacts.get('+34612000001').email, null);
			});

			test('sends one request per item, never an empty string, with the key as a Bearer token', () => {
				const requests = emulators.main.requestsTo('POST', CONTACTS);
				assert.equal(requests.length, 6);
				assert.ok(requests.every((request) => request.status === 200));
				assert.ok(requests.every((request) => request.authorization === `Bearer ${KEY}`));
				assertNoEmptyStrings(emulators.main);
				assert.equal(emulators.main.contacts.size, 3);
			});
		});

		describe('a bad phone on one item with On Error = continue (using error output)', () => {
			let run;
			before(async () => {
				run = await n8n.execute(workflows.badRow.id);
			});

			test('the workflow succeeds', () => {
				assert.equal(run.code, 0, run.stdout + run.stderr);
				assert.equal(runError(run.execution), undefined);
			});

			test('the error output gets the bad item with a clear message; the other items succeed', () => {
				const [ok, errors = []] = nodeOutputs(run.execution, 'Flowella');
				const misrouted = ok.filter((item) => item.error !== undefined);
				assert.deepEqual(misrouted, [], 'a failed item came out on the success output instead of the error output');
				assert.equal(ok.length, 3);
				ok.forEach(assertContactRow);
				assert.deepEqual(
					ok.map((row) => row.phone),
					['+34600100001', '+34600100002', '+34600100004'],
				);
				assert.equal(errors.length, 1);
				assert.match(String(errors[0].error), /Invalid Phone "call me maybe" \[item 2\]/);
				assert.deepEqual(nodeOutputs(run.execution, 'Flowella ok')[0].length, 3);
				assert.deepEqual(nodeOutputs(run.execution, 'Flowella needs fixing')[0].length, 1);
			});

			test('nothing is sent for the bad item', () => {
				const requests = emulators.rows.requestsTo('POST', CONTACTS);
				assert.deepEqual(
					requests.map((request) => [request.body.phone, request.status]).sort(),
					[
						['+34600100001', 200],
						['+34600100002', 200],
						['+34600100004', 200],
					],
				);
			});
		});

		describe('read operations: Contact Get Many, Conversation Get Many, Analytics', () => {
			let run;
			before(async () => {
				run = await n8n.execute(workflows.reads.id);
			});

			test('the workflow succeeds', () => {
				assert.equal(run.code, 0, run.stdout + run.stderr);
				assert.equal(runError(run.execution), undefined);
			});

			test('Return All lists every contact once, in Flowella\'s order, in pages of 100', () => {
				const [contacts] = nodeOutputs(run.execution, 'All contacts');
				assert.deepEqual(
					contacts.map((row) => row.id),
					[...emulators.reads.contacts.values()].map((row) => row.id),
				);
				contacts.forEach(assertContactRow);
				const pages = emulators.reads.requestsTo('GET', '/api/v1/contacts');
				assert.deepEqual(
					pages.map((request) => request.query.limit),
					['100', '100', '100'],
				);
			});

			test('Limit 5 with Status Open asks for 5 open conversations once', () => {
				const [conversations] = nodeOutputs(run.execution, 'Open conversations');
				assert.equal(conversations.length, 5);
				assert.ok(conversations.every((row) => row.status === 'OPEN' && row.contact?.phone));
				assert.deepEqual(
					emulators.reads.requestsTo('GET', '/api/v1/conversations').map((request) => request.query),
					[{ limit: '5', status: 'OPEN' }],
				);
			});

			test("message stats for 10:00–11:00 in the workflow's timezone are asked for in UTC and returned as Flowella sent them", () => {
				const [[stats]] = nodeOutputs(run.execution, 'Message stats');
				assert.deepEqual(emulators.reads.requestsTo('GET', '/api/v1/analytics').map((request) => request.query), [
					{ startDate: '2026-01-01T09:00:00.000Z', endDate: '2026-01-01T10:00:00.000Z' },
				]);
				assert.deepEqual(stats.period, { start: '2026-01-01T09:00:00.000Z', end: '2026-01-01T10:00:00.000Z' });
				assert.equal(stats.outboundMessages.total, 50);
				assert.deepEqual(stats.outboundMessages.counts, { PENDING: 10, SENT: 10, DELIVERED: 10, READ: 10, FAILED: 10 });
				assert.equal(stats.outboundMessages.deliveryRate, 0.4);
			});
		});

		describe('the example workflows run as shipped (against the playground emulator)', () => {
			// `n8n execute` starts only workflows with a Manual Trigger; the scheduled one runs in the editor.
			const manual = readExamples().filter((example) => example.nodes.some((node) => node.type === 'n8n-nodes-base.manualTrigger'));
			for (const example of manual) {
				test(example.name, async () => {
					const contactsBefore = emulators.sandbox.contacts.size;
					const run = await n8n.execute(example.id);
					assert.equal(run.code, 0, run.stdout + run.stderr);
					assert.equal(runError(run.execution), undefined);
					if (example.id === 'flowellaExample4') {
						const [contacts] = nodeOutputs(run.execution, 'All contacts');
						assert.equal(contacts.length, contactsBefore);
						const csv = run.execution.data.resultData.runData['Contacts CSV'][0].data.main[0][0];
						assert.equal(csv.binary.data.fileName, 'flowella-contacts.csv');
					}
				});
			}
		});

		describe('a wrong API key', () => {
			let run;
			before(async () => {
				run = await n8n.execute(workflows.wrongKey.id);
			});

			test('fails the run with a 401 that says to check the key, without showing the key', () => {
				assert.notEqual(run.code, 0);
				const error = runError(run.execution);
				assert.ok(error, 'the run has an error');
				assert.match(error.message, /401/);
				assert.match(error.message, /Invalid API key/);
				assert.match(`${error.description}`, /API key/);
				assert.equal(String(error.httpCode), '401');
				assert.ok(!run.stdout.includes(WRONG_KEY), 'the key appears in the run output');
			});

			test('reports the first item, starts no new item after the 401, and retries nothing', () => {
				assert.match(runError(run.execution).message, /\[item 0\]/);
				const requests = emulators.auth.requestsTo('POST', CONTACTS);
				assert.ok(requests.length >= 1 && requests.length <= DEFAULT_CONCURRENCY, `${requests.length} requests`);
				assert.ok(requests.every((request) => request.status === 401));
				assert.ok(requests.every((request) => request.authorization === `Bearer ${WRONG_KEY}`));
				assertEachPhoneOnce(requests);
				assert.equal(emulators.auth.contacts.size, 0);
			});
		});

		describe('a 401 with Retry On Fail on: n8n runs the node once per try', () => {
			let run;
			before(async () => {
				run = await n8n.execute(workflows.wrongKeyRetried.id, { countNodeRuns: true });
			});

			test('n8n ran the node 3 times (Max. Tries), each sending the one item once', () => {
				assert.notEqual(run.code, 0);
				assert.equal(run.nodeRuns('Flowella'), 3);
				const sent = emulators.auth.requestsTo('POST', CONTACTS).filter((request) => request.body.phone === '+34600200003');
				assert.equal(sent.length, 3);
			});
		});

		describe('a 429 storm with Retry On Fail on', () => {
			let run;
			before(async () => {
				run = await n8n.execute(workflows.stormOn.id, { countNodeRuns: true });
			});

			test('the workflow succeeds and every item comes back as a ContactRow, in order', () => {
				assert.equal(run.code, 0, run.stdout + run.stderr);
				const [rows] = nodeOutputs(run.execution, 'Flowella');
				assert.equal(rows.length, STORM_ROWS.length);
				rows.forEach(assertContactRow);
				assert.deepEqual(
					rows.map((row) => row.phone),
					STORM_ROWS.map((row) => row.phone),
				);
			});

			test('every item is upserted exactly once; only rate-limited requests are sent again', () => {
				const requests = emulators.stormOn.requestsTo('POST', CONTACTS);
				const limited = requests.filter((request) => request.status === 429);
				assert.ok(limited.length >= 3, `expected a storm of 429s, saw ${limited.length}`);
				assert.equal(requests.length, STORM_ROWS.length + limited.length);
				for (const row of STORM_ROWS) {
					const successes = requests.filter((request) => request.body.phone === row.phone && request.status === 200);
					assert.equal(successes.length, 1, `${row.phone} was upserted ${successes.length} times`);
				}
				assert.equal(emulators.stormOn.contacts.size, STORM_ROWS.length);
				// A success is never followed by another request for the same phone.
				const done = new Set();
				for (const request of requests) {
					assert.ok(!done.has(request.body.phone), `${request.body.phone} was sent again after it succeeded`);
					if (request.status === 200) done.add(request.body.phone);
				}
			});

			test('n8n ran the node once (the node retried the requests, not n8n the whole node)', () => {
				assert.equal(run.nodeRuns('Flowella'), 1);
			});
		});

		describe('a 429 storm with Retry On Fail off', () => {
			let run;
			before(async () => {
				run = await n8n.execute(workflows.stormOff.id);
			});

			test('fails with a clear rate-limit error that suggests Retry On Fail', () => {
				assert.notEqual(run.code, 0);
				const error = runError(run.execution);
				assert.ok(error, 'the run has an error');
				assert.match(error.message, /429/);
				assert.match(error.message, /rate limited/i);
				// The earliest rate-limited item is the one reported.
				const firstLimited = emulators.stormOff
					.requestsTo('POST', CONTACTS)
					.filter((request) => request.status === 429)
					.map((request) => STORM_ROWS.findIndex((row) => row.phone === request.body.phone))
					.sort((a, b) => a - b)[0];
				assert.match(error.message, new RegExp(`\\[item ${firstLimited}\\]`));
				assert.match(`${error.description}`, /Retry On Fail/);
				assert.equal(String(error.httpCode), '429');
			});

			test('the burst was upserted once, nothing was re-sent, and the run stopped early', () => {
				const requests = emulators.stormOff.requestsTo('POST', CONTACTS);
				const statuses = requests.map((request) => request.status);
				assert.equal(statuses.filter((status) => status === 200).length, STORM_LIMIT.burst);
				assert.ok(statuses.every((status) => status === 200 || status === 429), statuses.join(','));
				assertEachPhoneOnce(requests);
				// After the first 429 no new item starts; only requests already in flight finish.
				assert.ok(requests.length <= STORM_LIMIT.burst + DEFAULT_CONCURRENCY, `${requests.length} requests`);
				assert.ok(requests.length < STORM_ROWS.length);
				assert.equal(emulators.stormOff.contacts.size, STORM_LIMIT.burst);
			});
		});

		describe('the editor (n8n start)', () => {
			let server;
			let rest;
			const owner = { email: 'owner@example.com', password: 'E2e-password-1' };
			before(async () => {
				server = await n8n.start();
				rest = server.rest();
				await rest.setupOwner(owner);
			});
			after(async () => {
				if (server) await server.stop();
			});

			test('lists the Flowella node and credential types', async () => {
				const nodes = await rest.mustRequest('GET', '/types/nodes.json');
				const flowella = nodes.find((node) => node.name === NODE_TYPE);
				assert.ok(flowella, `${NODE_TYPE} is not in /types/nodes.json`);
				assert.equal(flowella.displayName, 'Flowella');
				assert.ok(flowella.icon || flowella.iconUrl, 'the node has an icon');
				const credentialTypes = await rest.mustRequest('GET', '/types/credentials.json');
				assert.ok(credentialTypes.find((type) => type.name === 'flowellaApi'));
			});

			test('the credential test passes with the right key', async () => {
				const before = emulators.main.requestsTo('GET', '/api/v1/ping').length;
				const result = await rest.testCredential(credentials.main);
				assert.equal(result.status, 'OK', JSON.stringify(result));
				const pings = emulators.main.requestsTo('GET', '/api/v1/ping');
				assert.equal(pings.length, before + 1);
				assert.equal(pings.at(-1).authorization, `Bearer ${KEY}`);
			});

			test('the credential test fails with a wrong key and says why', async () => {
				const result = await rest.testCredential(credentials.wrong);
				assert.equal(result.status, 'Error', JSON.stringify(result));
				// n8n 2.x shows the credential's own message for a 401; n8n 1.x shows its generic one
				// (its credential tester only applies `rules` to errors that carry a raw response).
				assert.match(result.message, version.startsWith('1.') ? /rejected this API key|Authorization failed/ : /rejected this API key/);
				assert.equal(emulators.auth.requestsTo('GET', '/api/v1/ping').at(-1).status, 401);
			});

			it(
				'in the browser: the nodes panel lists Flowella with its icon, and an example runs to ContactRows',
				{ skip: tourUnavailable() },
				async () => {
					// The playground emulator is seeded and the examples ran before: look at what the tour sends.
					const sentBefore = emulators.sandbox.requestsTo('POST', '/api/v1/contacts').length;
					const screenshotDir = path.join(ROOT, '.e2e', 'screenshots', `n8n-${version}`);
					const tour = await tourEditor({
						url: server.url,
						...owner,
						workflowId: 'flowellaExample1',
						screenshotDir,
						log,
					});
					assert.equal(tour.nodesPanel.name, 'Flowella');
					if (tour.nodesPanel.description || version.startsWith('2.')) assert.match(tour.nodesPanel.description, /WhatsApp/);
					assert.ok(tour.nodesPanel.hasIcon, 'the nodes panel shows an icon for Flowella');
					assert.match(tour.outputText, /4 items/);
					const sent = emulators.sandbox.requestsTo('POST', '/api/v1/contacts').slice(sentBefore);
					assert.deepEqual(sent.map((request) => request.body.phone).sort(), ['+15550100199', '+34612345678', '+447700900123', '+525512345678']);
					const rows = sent.map((request) => emulators.sandbox.contacts.get(request.body.phone));
					for (const row of rows) assert.ok(tour.outputText.includes(row.id), `${row.id} is not shown in the output panel`);
				},
			);
		});
	});
}
