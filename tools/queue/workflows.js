'use strict';
// Workflows for the queue-mode scenarios. Each starts from a production webhook (so the
// webhook process takes the request and a worker runs the execution), records which process
// ran it ("Process": $env.FLOWELLA_QUEUE_PROCESS, read back from the execution's data in
// PostgreSQL), then feeds its rows to one Flowella node. Rows come from Edit Fields (raw JSON)
// and Split Out, as in tools/workflows/rows.js, so they exist unchanged in n8n 1.x and 2.x.
const crypto = require('node:crypto');

const { NODE_TYPE, PACKAGE_NAME } = require('../n8n-harness');
const { nodeId, workflowId } = require('../workflows');

const TRIGGER_TYPE = `${PACKAGE_NAME}.flowellaTrigger`;
const RETRY = { retryOnFail: true, maxTries: 3, waitBetweenTries: 1000 };

/** A UUID derived from a name: the same workflow gets the same webhook id run after run. */
function stableUuid(name) {
	const hex = crypto.createHash('sha1').update(name).digest('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function credentialRef(credential) {
	return { [credential.type]: { id: credential.id, name: credential.name } };
}

/**
 * Webhook (POST /webhook/<path>, answers at once) → Process → Rows → Split Out → Flowella, the
 * Flowella node with `parameters`, `credential` and node `settings` (Retry On Fail, On Error).
 * @param {{ name: string, path: string, rows: object[], parameters: object, credential: any, settings?: object }} spec
 */
function webhookToRows({ name, path, rows, parameters, credential, settings = {} }) {
	const id = workflowId(`queue${name}`);
	const nodes = [
		{
			parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
			id: nodeId(id, 'Start'),
			name: 'Start',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: stableUuid(`${id}/Start`),
		},
		{
			parameters: {
				assignments: { assignments: [{ id: stableUuid(`${id}/process`), name: 'process', value: '={{ $env.FLOWELLA_QUEUE_PROCESS }}', type: 'string' }] },
				options: {},
			},
			id: nodeId(id, 'Process'),
			name: 'Process',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220, 0],
		},
		{
			parameters: { mode: 'raw', jsonOutput: JSON.stringify({ rows }), options: {} },
			id: nodeId(id, 'Rows'),
			name: 'Rows',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [440, 0],
		},
		{
			parameters: { fieldToSplitOut: 'rows', options: {} },
			id: nodeId(id, 'Split Out'),
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [660, 0],
		},
		{
			parameters,
			id: nodeId(id, 'Flowella'),
			name: 'Flowella',
			type: NODE_TYPE,
			typeVersion: 1,
			position: [880, 0],
			credentials: credentialRef(credential),
			...settings,
		},
	];
	const chain = nodes.map((entry) => entry.name);
	const connections = {};
	for (let i = 0; i < chain.length - 1; i++) connections[chain[i]] = { main: [[{ node: chain[i + 1], type: 'main', index: 0 }]] };
	return { id, name: `queue: ${name}`, nodes, connections, active: true, settings: { executionOrder: 'v1' }, pinData: {}, tags: [] };
}

/** Contact → Create or Update for every row, Retry On Fail on (n8n's defaults but Max. Tries 3). */
/** @param {{ name: string, path: string, rows: object[], credential: any, concurrency?: number, maxRequestsPerSecond?: number }} options */
function syncWorkflow({ name, path, rows, credential, concurrency, maxRequestsPerSecond }) {
	return webhookToRows({
		name,
		path,
		rows,
		credential,
		parameters: {
			resource: 'contact',
			operation: 'upsert',
			phone: '={{ $json.phone }}',
			additionalFields: { name: '={{ $json.name }}' },
			options: { ...(concurrency ? { concurrency } : {}), ...(maxRequestsPerSecond ? { maxRequestsPerSecond } : {}) },
		},
		settings: RETRY,
	});
}

/** Message → Send Text for every row; failed items go to the error output (the run carries on). */
function sendTextWorkflow({ name, path, rows, credential, retry = true }) {
	return webhookToRows({
		name,
		path,
		rows,
		credential,
		parameters: { resource: 'message', operation: 'sendText', to: '={{ $json.phone }}', text: '={{ $json.text }}', options: {} },
		settings: { onError: 'continueErrorOutput', ...(retry ? RETRY : {}) },
	});
}

/** Template → Send to Many: one job for all rows. */
function templateWorkflow({ name, path, rows, credential, retry = true }) {
	return webhookToRows({
		name,
		path,
		rows,
		credential,
		parameters: {
			resource: 'template',
			operation: 'send',
			templateId: 'tpl_welcome',
			whatsappChannelId: 'ch_emulator_default',
			phone: '={{ $json.phone }}',
			bodyParameters: { parameter: [{ value: '={{ $json.name }}' }] },
			options: {},
		},
		settings: retry ? RETRY : {},
	});
}

/** Flowella Trigger (every event, test events too) → Process: one execution per accepted delivery. */
function triggerWorkflow({ name, credential }) {
	const id = workflowId(`queue${name}`);
	const nodes = [
		{
			parameters: { events: ['*'], options: { includeTestEvents: true } },
			id: nodeId(id, 'Flowella Trigger'),
			name: 'Flowella Trigger',
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0],
			webhookId: stableUuid(`${id}/Flowella Trigger`),
			credentials: credentialRef(credential),
		},
		{
			parameters: {
				assignments: { assignments: [{ id: stableUuid(`${id}/process`), name: 'process', value: '={{ $env.FLOWELLA_QUEUE_PROCESS }}', type: 'string' }] },
				includeOtherFields: true,
				options: {},
			},
			id: nodeId(id, 'Process'),
			name: 'Process',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220, 0],
		},
	];
	return {
		id,
		name: `queue: ${name}`,
		nodes,
		connections: { 'Flowella Trigger': { main: [[{ node: 'Process', type: 'main', index: 0 }]] } },
		active: true,
		settings: { executionOrder: 'v1' },
		pinData: {},
		tags: [],
	};
}

/**
 * `count` rows with phones no other scenario uses (`prefix`: 4 digits).
 * @param {string} prefix
 * @param {number} count
 * @param {(n: number) => object} [extra]
 */
function contactRows(prefix, count, extra = () => ({})) {
	return Array.from({ length: count }, (_, n) => ({ phone: `+34${prefix}${String(n).padStart(5, '0')}`, name: `Queue ${prefix} ${n}`, ...extra(n) }));
}

module.exports = { syncWorkflow, sendTextWorkflow, templateWorkflow, triggerWorkflow, contactRows, stableUuid, TRIGGER_TYPE };
