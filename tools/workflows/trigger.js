'use strict';
// Workflow JSON around the Flowella Trigger: the trigger node, and a workflow that reports each
// event it starts for to a recorder (or ends in a No-Op when only executions are counted).
const { PACKAGE_NAME } = require('../n8n-harness');
const { nodeId } = require('./rows');

const TRIGGER_TYPE = `${PACKAGE_NAME}.flowellaTrigger`;
const WEBHOOK_CREDENTIAL_TYPE = 'flowellaWebhookApi';

/** A trigger node; `webhookId` fixes its URL: /webhook/<webhookId>. */
function triggerNode({ workflowId, webhookId, credential, events = ['*'], options = {}, name = 'Flowella Trigger', position = [0, 0], typeVersion = 2 }) {
	return {
		parameters: { events, options },
		id: nodeId(workflowId, name),
		name,
		type: TRIGGER_TYPE,
		typeVersion,
		position,
		webhookId,
		credentials: { [WEBHOOK_CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
	};
}

/**
 * Flowella Trigger → "Report event" (HTTP Request POSTing the event to `reportUrl`), or → a No-Op
 * when there is no recorder (the benchmark counts executions only).
 * @param {{ id: string, name: string, webhookId: string, credential: { id: string, name: string }, events?: string[],
 *   options?: Record<string, unknown>, reportUrl?: string, typeVersion?: number }} spec
 */
function triggerWorkflow({ id, name, webhookId, credential, events, options, reportUrl, typeVersion }) {
	const trigger = triggerNode({ workflowId: id, webhookId, credential, events, options, typeVersion });
	const next = reportUrl
		? {
				parameters: {
					method: 'POST',
					url: reportUrl,
					sendBody: true,
					specifyBody: 'json',
					jsonBody: '={{ JSON.stringify($json) }}',
					options: {},
				},
				id: nodeId(id, 'Report event'),
				name: 'Report event',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [260, 0],
			}
		: undefined;
	return triggeredWorkflow({ id, name, trigger, next });
}

/**
 * A workflow of two nodes: any trigger, then `next` (by default a No-Op named Event), as the
 * e2e suites and the trigger benchmark run them.
 * @param {{ id: string, name: string, trigger: any, next?: any }} spec
 */
function triggeredWorkflow({ id, name, trigger, next = { parameters: {}, id: nodeId(id, 'Event'), name: 'Event', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [260, 0] } }) {
	return {
		id,
		name,
		nodes: [trigger, next],
		connections: { [trigger.name]: { main: [[{ node: next.name, type: 'main', index: 0 }]] } },
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		tags: [],
	};
}

module.exports = { TRIGGER_TYPE, WEBHOOK_CREDENTIAL_TYPE, triggerNode, triggerWorkflow, triggeredWorkflow };
