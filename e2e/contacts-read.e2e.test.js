'use strict';
// End to end: the read operations (Contact Get Many, Conversation Get Many, Analytics → Outbound
// Message Stats) in a real n8n against a seeded Flowella emulator: pages, filters, and dates in
// the workflow's timezone. Run with `FLOWELLA_E2E_FILES=contacts-read npm run test:e2e`.
const assert = require('node:assert/strict');

const { nodeOutputs } = require('../tools/n8n-harness');
const { rowsToFlowella, workflowId } = require('../tools/workflows');
const { assertContactRow } = require('./lib/contacts');
const { describeInN8n } = require('./lib/suite');

const KEY = 'flo_e2e_reads_key_0123456789';

describeInN8n(
	'read operations',
	async (suite) => {
		const emulator = await suite.emulator('reads', { apiKeys: [KEY] });
		emulator.seed({ contacts: 250, conversations: 40, messages: 50, messagesUntil: '2026-01-01T10:00:00.000Z' });
		const reads = suite.credential('reads', 'Flowella (e2e reads)', emulator, KEY);
		suite.workflows.reads = rowsToFlowella({
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
		suite.workflows.reads.settings.timezone = 'Europe/Madrid';
	},
	(suite) => {
		suite.whenRun('Contact Get Many, Conversation Get Many, Analytics', 'reads', (run) => {
			const emulator = () => suite.emulators.reads;

			suite.test("Return All lists every contact once, in Flowella's order, in pages of 100", () => {
				const [contacts] = nodeOutputs(run().execution, 'All contacts');
				assert.deepEqual(
					contacts.map((row) => row.id),
					[...emulator().contacts.values()].map((row) => row.id),
				);
				contacts.forEach(assertContactRow);
				assert.deepEqual(
					emulator().requestsTo('GET', '/api/v1/contacts').map((request) => request.query.limit),
					['100', '100', '100'],
				);
			});

			suite.test('Limit 5 with Status Open asks for 5 open conversations once', () => {
				const [conversations] = nodeOutputs(run().execution, 'Open conversations');
				assert.equal(conversations.length, 5);
				assert.ok(conversations.every((row) => row.status === 'OPEN' && row.contact?.phone));
				assert.deepEqual(
					emulator().requestsTo('GET', '/api/v1/conversations').map((request) => request.query),
					[{ limit: '5', status: 'OPEN' }],
				);
			});

			suite.test("message stats for 10:00–11:00 in the workflow's timezone are asked for in UTC and returned as Flowella sent them", () => {
				const [[stats]] = nodeOutputs(run().execution, 'Message stats');
				assert.deepEqual(emulator().requestsTo('GET', '/api/v1/analytics').map((request) => request.query), [
					{ startDate: '2026-01-01T09:00:00.000Z', endDate: '2026-01-01T10:00:00.000Z' },
				]);
				assert.deepEqual(stats.period, { start: '2026-01-01T09:00:00.000Z', end: '2026-01-01T10:00:00.000Z' });
				assert.equal(stats.outboundMessages.total, 50);
				assert.deepEqual(stats.outboundMessages.counts, { PENDING: 10, SENT: 10, DELIVERED: 10, READ: 10, FAILED: 10 });
				assert.equal(stats.outboundMessages.deliveryRate, 0.4);
			});
		});
	},
);
