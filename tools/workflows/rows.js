'use strict';
// Builds n8n workflow JSON for the Flowella node: rows of a sheet-like table → Flowella
// Contact → Create or Update, optionally with an error-output branch. The same shapes feed the
// end-to-end suite and the playground's examples/. No Code node: rows come from Edit Fields
// (raw JSON) and Split Out, which exist unchanged in n8n 1.x and 2.x.
const { NODE_TYPE, CREDENTIAL_TYPE } = require('../n8n-harness');

const TRIGGER = "When clicking 'Execute workflow'";

/**
 * A node and a workflow as n8n's import JSON has them.
 * @typedef {{ parameters: Record<string, any>, id: string, name: string, type: string, typeVersion: number,
 *   position: number[], credentials?: Record<string, { id: string, name: string }>, [setting: string]: unknown }} WorkflowNode
 * @typedef {{ node: string, type: string, index: number }} Connection
 * @typedef {{ id: string, name: string, nodes: WorkflowNode[], connections: Record<string, Record<string, Connection[][]>>,
 *   active: boolean, settings: Record<string, any>, pinData: object, tags: string[], [field: string]: unknown }} Workflow
 */

/** A stable UUID-shaped node id derived from the workflow id and node name. */
function nodeId(workflowId, name) {
	const hex = require('node:crypto').createHash('sha1').update(`${workflowId}/${name}`).digest('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** n8n wants workflow ids of 16 characters; pads or trims a readable name. */
function workflowId(name) {
	const clean = name.replace(/[^A-Za-z0-9]/g, '');
	return (clean + '0000000000000000').slice(0, 16);
}

/** Flowella node parameters mapping row columns with expressions. */
function flowellaParameters({ fields = ['name', 'email'], options = {} } = {}) {
	const additionalFields = {};
	for (const field of fields) additionalFields[field] = `={{ $json.${field} }}`;
	return {
		resource: 'contact',
		operation: 'upsert',
		phone: '={{ $json.phone }}',
		additionalFields,
		options,
	};
}

/**
 * Manual (or schedule) trigger → for each stage: "<stage> rows" (Edit Fields, raw JSON) →
 * "Split Out <stage>" → Flowella node named after the stage. Stages run one after the other
 * (the rows node of a later stage runs once). A stage with `errorBranch` gets On Error =
 * "Continue (using error output)" with "<stage> ok" / "<stage> needs fixing" No-Op nodes.
 * @typedef {{ name: string, rows: object[], credential: { id: string, name: string },
 *   parameters?: object, settings?: object, errorBranch?: boolean, rowsName?: string, splitName?: string,
 *   okName?: string, fixName?: string }} Stage
 * @param {{ id: string, name: string, stages: Stage[], trigger?: 'manual' | 'schedule', notes?: string }} spec
 * @returns {Workflow}
 */
function rowsToFlowella({ id, name, stages, trigger = 'manual', notes }) {
	const triggerName = trigger === 'schedule' ? 'Every hour' : TRIGGER;
	/** @type {WorkflowNode[]} */
	const nodes = [
		trigger === 'schedule'
			? {
					parameters: { rule: { interval: [{ field: 'hours', hoursInterval: 1 }] } },
					id: nodeId(id, triggerName),
					name: triggerName,
					type: 'n8n-nodes-base.scheduleTrigger',
					typeVersion: 1.2,
					position: [0, 0],
				}
			: {
					parameters: {},
					id: nodeId(id, triggerName),
					name: triggerName,
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
				},
	];
	/** @type {Workflow['connections']} */
	const connections = {};
	const connect = (/** @type {string} */ from, /** @type {string} */ to, output = 0) => {
		connections[from] ??= { main: [] };
		while (connections[from].main.length <= output) connections[from].main.push([]);
		connections[from].main[output].push({ node: to, type: 'main', index: 0 });
	};
	let previous = triggerName;
	stages.forEach((stage, index) => {
		const y = index * 300;
		const rowsName = stage.rowsName ?? `${stage.name} rows`;
		const splitName = stage.splitName ?? `Split Out ${stage.name}`;
		nodes.push(
			{
				parameters: { mode: 'raw', jsonOutput: JSON.stringify({ rows: stage.rows }, null, 2), options: {} },
				id: nodeId(id, rowsName),
				name: rowsName,
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [220, y],
				...(index > 0 ? { executeOnce: true } : {}),
			},
			{
				parameters: { fieldToSplitOut: 'rows', options: {} },
				id: nodeId(id, splitName),
				name: splitName,
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [440, y],
			},
			{
				parameters: stage.parameters ?? flowellaParameters(),
				id: nodeId(id, stage.name),
				name: stage.name,
				type: NODE_TYPE,
				typeVersion: 1,
				position: [660, y],
				credentials: { [CREDENTIAL_TYPE]: { id: stage.credential.id, name: stage.credential.name } },
				...(stage.settings ?? {}),
				...(stage.errorBranch ? { onError: 'continueErrorOutput' } : {}),
			},
		);
		connect(previous, rowsName);
		connect(rowsName, splitName);
		connect(splitName, stage.name);
		previous = stage.name;
		if (stage.errorBranch) {
			const ok = stage.okName ?? `${stage.name} ok`;
			const fix = stage.fixName ?? `${stage.name} needs fixing`;
			nodes.push(
				{ parameters: {}, id: nodeId(id, ok), name: ok, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [900, y - 100] },
				{ parameters: {}, id: nodeId(id, fix), name: fix, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [900, y + 100] },
			);
			connect(stage.name, ok, 0);
			connect(stage.name, fix, 1);
			previous = ok;
		}
	});
	if (notes) {
		nodes.push({
			parameters: { content: notes, height: 260, width: 420 },
			id: nodeId(id, 'Sticky Note'),
			name: 'Sticky Note',
			type: 'n8n-nodes-base.stickyNote',
			typeVersion: 1,
			position: [0, -320],
		});
	}
	return {
		id,
		name,
		nodes,
		connections,
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		tags: [],
	};
}

module.exports = { rowsToFlowella, flowellaParameters, workflowId, nodeId };
