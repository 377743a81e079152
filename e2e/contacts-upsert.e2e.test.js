'use strict';
// End to end: Contact → Create or Update in a real n8n, with the packed package installed as a
// community package. Workflows run with `n8n execute` against Flowella emulators in this process;
// assertions on the JSON run data and on the emulators' request logs: cleaned-up phones, blank
// cells, the error output, a wrong key, a 429 storm with and without Retry On Fail.
// Run with `FLOWELLA_E2E_FILES=contacts-upsert npm run test:e2e`.
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { NODE_TYPE, nodeOutputs } = require('../tools/n8n-harness');
const { rowsToFlowella, flowellaParameters, workflowId } = require('../tools/workflows');
const { CONTACTS, assertContactRow, assertEachPhoneOnce, upsertBodies } = require('./lib/contacts');
const { describeInN8n, runError } = require('./lib/suite');

const KEY = 'flo_e2e_good_key_0123456789';
const WRONG_KEY = 'flo_e2e_wrong_key_9876543210';
/** @type {import('../emulator/server').RateLimit} */
const STORM_LIMIT = { ratePerSec: 2, burst: 3, retryAfter: 'seconds' };
const STORM_ROWS = Array.from({ length: 12 }, (_, index) => ({
	phone: `+1555010${String(index).padStart(4, '0')}`,
	name: `Storm contact ${index + 1}`,
	email: `storm${index + 1}@example.com`,
}));
const ALL_FIELDS = flowellaParameters({ fields: ['name', 'email', 'waId'] });
/** The node's default Parallel Requests: at most this many requests are in flight. */
const DEFAULT_CONCURRENCY = 5;

/** Request bodies sorted by phone: the node sends up to Parallel Requests (default 5) at once. */
const byPhone = (/** @type {Record<string, any>[]} */ list) => [...list].sort((a, b) => a.phone.localeCompare(b.phone));

describeInN8n(
	'Contact → Create or Update',
	async (suite) => {
		const main = suite.credential('main', 'Flowella (e2e)', await suite.emulator('main', { apiKeys: [KEY] }), KEY);
		const rows = suite.credential('rows', 'Flowella (e2e rows)', await suite.emulator('rows', { apiKeys: [KEY] }), KEY);
		const wrong = suite.credential('wrong', 'Flowella (e2e wrong key)', await suite.emulator('auth', { apiKeys: [KEY] }), WRONG_KEY);
		const stormOn = suite.credential('stormOn', 'Flowella (e2e storm, retry on)', await suite.emulator('stormOn', { apiKeys: [KEY], rateLimit: STORM_LIMIT }), KEY);
		const stormOff = suite.credential('stormOff', 'Flowella (e2e storm, retry off)', await suite.emulator('stormOff', { apiKeys: [KEY], rateLimit: STORM_LIMIT }), KEY);

		suite.workflows.lifecycle = rowsToFlowella({
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
						// A number whose + the sheet dropped, which no country writes so at home: read as international.
						{ phone: '5511912345678', name: 'Caio', email: '', waId: '' },
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
		suite.workflows.badRow = rowsToFlowella({
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
		suite.workflows.wrongKey = rowsToFlowella({
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
		suite.workflows.wrongKeyRetried = rowsToFlowella({
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
		suite.workflows.stormOn = rowsToFlowella({
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
		suite.workflows.stormOff = rowsToFlowella({
			id: workflowId('e2eStormRetryOff'),
			name: 'e2e: 429 storm, Retry On Fail off',
			stages: [{ name: 'Flowella', credential: stormOff, rows: STORM_ROWS }],
		});
	},
	(suite) => {
		const { emulators } = suite;

		suite.test('loads the package as a community package (node type n8n-nodes-flowella.flowella)', () => {
			assert.equal(NODE_TYPE, 'n8n-nodes-flowella.flowella');
			const installed = `${suite.userFolder}/.n8n/nodes/node_modules/n8n-nodes-flowella`;
			assert.ok(fs.existsSync(`${installed}/package.json`));
			assert.ok(!fs.existsSync(`${installed}/node_modules/n8n-workflow`));
		});

		suite.whenRun('create, update, clear', 'lifecycle', (run) => {
			suite.test('creates contacts with cleaned-up phones and skips blank cells', () => {
				const [created, errors = []] = nodeOutputs(run().execution, 'Create');
				assert.equal(errors.length, 0);
				assert.equal(created.length, 3);
				created.forEach(assertContactRow);
				assert.deepEqual(
					created.map((row) => row.phone),
					['+34612000001', '+34612000002', '+5511912345678'],
				);
				assert.deepEqual(
					created.map(({ name, email, waId }) => ({ name, email, waId })),
					[
						{ name: 'Ana Ruiz', email: 'ana@example.com', waId: '34612000001' },
						{ name: 'Bruno Díaz', email: 'bruno@example.com', waId: null },
						{ name: 'Caio', email: null, waId: null },
					],
				);
				assert.deepEqual(byPhone(upsertBodies(emulators.main).slice(0, 3)), [
					{ phone: '+34612000001', name: 'Ana Ruiz', email: 'ana@example.com', waId: '34612000001' },
					{ phone: '+34612000002', name: 'Bruno Díaz', email: 'bruno@example.com' },
					{ phone: '+5511912345678', name: 'Caio' },
				]);
			});

			suite.test('updates the same contacts: changed fields change, blank cells leave stored values alone', () => {
				const [created] = nodeOutputs(run().execution, 'Create');
				const [updated, errors = []] = nodeOutputs(run().execution, 'Update');
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
				assert.deepEqual(byPhone(upsertBodies(emulators.main).slice(3, 5)), [
					{ phone: '+34612000001', name: 'Ana Ruiz Gómez' },
					{ phone: '+34612000002', email: 'bruno@new.example.com', waId: '34612000002' },
				]);
			});

			suite.test('Empty Values = Clear sends null and Flowella erases the fields', () => {
				const [cleared] = nodeOutputs(run().execution, 'Clear');
				assert.equal(cleared.length, 1);
				assertContactRow(cleared[0]);
				assert.deepEqual(
					{ name: cleared[0].name, email: cleared[0].email, waId: cleared[0].waId },
					{ name: 'Ana', email: null, waId: null },
				);
				assert.deepEqual(upsertBodies(emulators.main)[5], { phone: '+34612000001', name: 'Ana', email: null, waId: null });
				assert.equal(emulators.main.contacts.get('+34612000001')?.email, null);
			});

			suite.test('sends one request per item, never an empty string, with the key as a Bearer token', () => {
				const requests = emulators.main.requestsTo('POST', CONTACTS);
				assert.equal(requests.length, 6);
				assert.ok(requests.every((request) => request.status === 200));
				assert.ok(requests.every((request) => request.authorization === `Bearer ${KEY}`));
				for (const body of upsertBodies(emulators.main)) {
					for (const [field, value] of Object.entries(body)) assert.notEqual(value, '', `${field} was sent as ""`);
				}
				assert.equal(emulators.main.contacts.size, 3);
			});
		});

		suite.whenRun('a bad phone on one item with On Error = continue (using error output)', 'badRow', (run) => {
			suite.test('the error output gets the bad item with a clear message; the other items succeed', () => {
				const [ok, errors = []] = nodeOutputs(run().execution, 'Flowella');
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
				assert.deepEqual(nodeOutputs(run().execution, 'Flowella ok')[0].length, 3);
				assert.deepEqual(nodeOutputs(run().execution, 'Flowella needs fixing')[0].length, 1);
			});

			suite.test('nothing is sent for the bad item', () => {
				assert.deepEqual(
					emulators.rows.requestsTo('POST', CONTACTS).map((request) => [/** @type {any} */ (request.body).phone, request.status]).sort(),
					[
						['+34600100001', 200],
						['+34600100002', 200],
						['+34600100004', 200],
					],
				);
			});
		});

		suite.whenRun(
			'a wrong API key',
			'wrongKey',
			(run) => {
				suite.test('fails the run with a 401 that says to check the key, without showing the key', () => {
					const error = runError(run());
					assert.ok(error, 'the run has an error');
					assert.match(error.message, /401/);
					assert.match(error.message, /Invalid API key/);
					assert.match(`${error.description}`, /API key/);
					assert.equal(String(error.httpCode), '401');
					assert.ok(!run().stdout.includes(WRONG_KEY), 'the key appears in the run output');
				});

				suite.test('reports the first item, starts no new item after the 401, and retries nothing', () => {
					assert.match(runError(run()).message, /\[item 0\]/);
					const requests = emulators.auth.requestsTo('POST', CONTACTS);
					assert.ok(requests.length >= 1 && requests.length <= DEFAULT_CONCURRENCY, `${requests.length} requests`);
					assert.ok(requests.every((request) => request.status === 401));
					assert.ok(requests.every((request) => request.authorization === `Bearer ${WRONG_KEY}`));
					assertEachPhoneOnce(requests);
					assert.equal(emulators.auth.contacts.size, 0);
				});
			},
			{ fails: true },
		);

		suite.whenRun(
			'a 401 with Retry On Fail on: n8n runs the node once per try',
			'wrongKeyRetried',
			(run) => {
				suite.test('n8n ran the node 3 times (Max. Tries), each sending the one item once', () => {
					assert.equal(run().nodeRuns?.('Flowella'), 3);
					const sent = emulators.auth.requestsTo('POST', CONTACTS).filter((request) => /** @type {any} */ (request.body).phone === '+34600200003');
					assert.equal(sent.length, 3);
				});
			},
			{ fails: true, countNodeRuns: true },
		);

		suite.whenRun(
			'a 429 storm with Retry On Fail on',
			'stormOn',
			(run) => {
				suite.test('every item comes back as a ContactRow, in order', () => {
					const [rows] = nodeOutputs(run().execution, 'Flowella');
					assert.equal(rows.length, STORM_ROWS.length);
					rows.forEach(assertContactRow);
					assert.deepEqual(
						rows.map((row) => row.phone),
						STORM_ROWS.map((row) => row.phone),
					);
				});

				suite.test('every item is upserted exactly once; only rate-limited requests are sent again', () => {
					const requests = emulators.stormOn.requestsTo('POST', CONTACTS);
					const phoneOf = (/** @type {{ body: any }} */ request) => request.body.phone;
					const limited = requests.filter((request) => request.status === 429);
					assert.ok(limited.length >= 3, `expected a storm of 429s, saw ${limited.length}`);
					assert.equal(requests.length, STORM_ROWS.length + limited.length);
					for (const row of STORM_ROWS) {
						const successes = requests.filter((request) => phoneOf(request) === row.phone && request.status === 200);
						assert.equal(successes.length, 1, `${row.phone} was upserted ${successes.length} times`);
					}
					assert.equal(emulators.stormOn.contacts.size, STORM_ROWS.length);
					// A success is never followed by another request for the same phone.
					const done = new Set();
					for (const request of requests) {
						assert.ok(!done.has(phoneOf(request)), `${phoneOf(request)} was sent again after it succeeded`);
						if (request.status === 200) done.add(phoneOf(request));
					}
				});

				suite.test('n8n ran the node once (the node retried the requests, not n8n the whole node)', () => {
					assert.equal(run().nodeRuns?.('Flowella'), 1);
				});
			},
			{ countNodeRuns: true },
		);

		suite.whenRun(
			'a 429 storm with Retry On Fail off',
			'stormOff',
			(run) => {
				suite.test('fails with a clear rate-limit error that suggests Retry On Fail', () => {
					const error = runError(run());
					assert.ok(error, 'the run has an error');
					assert.match(error.message, /429/);
					assert.match(error.message, /rate limited/i);
					// The earliest rate-limited item is the one reported.
					const firstLimited = emulators.stormOff
						.requestsTo('POST', CONTACTS)
						.filter((request) => request.status === 429)
						.map((request) => STORM_ROWS.findIndex((row) => row.phone === /** @type {any} */ (request.body).phone))
						.sort((a, b) => a - b)[0];
					assert.match(error.message, new RegExp(`\\[item ${firstLimited}\\]`));
					assert.match(`${error.description}`, /Retry On Fail/);
					assert.equal(String(error.httpCode), '429');
				});

				suite.test('the burst was upserted once, nothing was re-sent, and the run stopped early', () => {
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
			},
			{ fails: true },
		);
	},
);
