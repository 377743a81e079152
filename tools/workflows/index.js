'use strict';
// Every builder of n8n workflow JSON for this package, in one module: the e2e suites, the
// benchmarks, the playground's examples and `npm start` take their workflows from here.
//   rows.js       rows of a sheet-like table → Flowella node stages; node and workflow ids
//   messaging.js  parameters of the sending operations; the two shipped examples that send
//   agent.js      n8n's AI Agent with Flowella tool nodes and the stand-in model
//   trigger.js    the Flowella Trigger node and a workflow around it
//   by-hand.js    a shipped workflow with its schedule or chat trigger swapped for a Manual Trigger
/** @typedef {import('./rows').Workflow} Workflow */
/** @typedef {import('./rows').WorkflowNode} WorkflowNode */

module.exports = {
	...require('./rows'),
	...require('./messaging'),
	...require('./agent'),
	...require('./trigger'),
	...require('./by-hand'),
};
