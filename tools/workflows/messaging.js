'use strict';
// Workflow JSON for the Flowella node's sending operations (Message → Send Text, Template → Send
// to Many, Contact → Opt Out): parameter builders for rowsToFlowella stages, and the two shipped
// examples that send (a template campaign to sheet rows; a text that falls back to a template
// outside WhatsApp's 24-hour window). Used by e2e/messaging.e2e.test.js and tools/n8n-examples.js.
const { NODE_TYPE, CREDENTIAL_TYPE } = require('../n8n-harness');
const { rowsToFlowella, nodeId } = require('./rows');

// The emulator's (and the playground's) default channel and one-parameter template.
const CHANNEL = 'ch_emulator_default';
const WELCOME_TEMPLATE = 'tpl_welcome';

/** Message → Send Text reading `to` and `text` from the item. */
function sendTextParameters({ to = '={{ $json.to }}', text = '={{ $json.text }}', options = {} } = {}) {
	return { resource: 'message', operation: 'sendText', to, text, options };
}

/** Template → Send to Many: one recipient per item, body parameters in order (usually expressions). */
function templateSendParameters({
	templateId = WELCOME_TEMPLATE,
	whatsappChannelId = CHANNEL,
	phone = '={{ $json.phone }}',
	body = ['={{ $json.name }}'],
	options = {},
} = {}) {
	return {
		resource: 'template',
		operation: 'send',
		templateId,
		whatsappChannelId,
		phone,
		bodyParameters: { parameter: body.map((value) => ({ value })) },
		options,
	};
}

/** Contact → Opt Out of one channel, with the reason from the item. */
function optOutParameters({ whatsappChannelId = CHANNEL, phone = '={{ $json.phone }}', reason = '={{ $json.reason }}' } = {}) {
	return { resource: 'contact', operation: 'optOut', whatsappChannelId, phone, additionalFields: { reason }, options: {} };
}

const credentialRef = (credential) => ({ [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } });

/** Example: sheet rows → one Template → Send to Many job, each row's name filling the template's {{1}}. */
function templateCampaignExample({ id, credential }) {
	return rowsToFlowella({
		id,
		name: 'Flowella example: send a template campaign to sheet rows',
		notes:
			"## Template campaign to sheet rows\n**Sheet rows** stands in for a Google Sheets or Airtable read: one item per row.\n\n**Send welcome template** is Template → Send to Many: every row becomes one recipient of **one** Flowella bulk job (one request, not one per row), each row's `name` filling the template's `{{1}}`. Flowella paces delivery itself (Options → Throttle Per Hour).\n\nTemplate ID and WhatsApp Channel ID are the playground's: copy yours from the template's and the channel's pages in Flowella. The output is the job, with its number of recipients.",
		stages: [
			{
				name: 'Send welcome template',
				rowsName: 'Sheet rows',
				splitName: 'One item per row',
				credential,
				parameters: templateSendParameters({ options: { defaultCountryCode: '1', throttlePerHour: 1000 } }),
				rows: [
					{ phone: '+34 612 345 678', name: 'Lucía' },
					{ phone: '0044 7700 900123', name: 'Oliver' },
					{ phone: '(555) 010-0199', name: 'Maya' },
					{ phone: '+52 55 1234 5678', name: 'Diego' },
				],
			},
		],
	});
}

/**
 * If node (2.2, in n8n 1.x and 2.x): true when the Send Text error item says it was refused for
 * WhatsApp's 24-hour window (the node's advice names it); other errors (a bad phone) stay out.
 */
function outsideWindowCheck(workflowId, name, position) {
	return {
		parameters: {
			conditions: {
				options: { caseSensitive: false, leftValue: '', typeValidation: 'loose', version: 2 },
				conditions: [
					{
						id: nodeId(workflowId, `${name} condition`),
						leftValue: '={{ $json.message }}',
						rightValue: 'within 24 hours',
						operator: { type: 'string', operation: 'contains' },
					},
				],
				combinator: 'and',
			},
			options: { ignoreCase: true },
		},
		id: nodeId(workflowId, name),
		name,
		type: 'n8n-nodes-base.if',
		typeVersion: 2.2,
		position,
	};
}

/**
 * Example: Send Text with On Error = "Continue (using error output)"; an item refused because the
 * contact last wrote more than 24 hours ago goes on to a one-recipient Template → Send to Many.
 * n8n merges the input row into the error item, so the branch reads `phone` and `name` from it.
 */
function templateFallbackExample({ id, credential }) {
	const workflow = rowsToFlowella({
		id,
		name: 'Flowella example: reply with a template outside the 24-hour window',
		notes:
			"## Text, or a template outside the 24-hour window\nWhatsApp delivers free-form text only within 24 hours of the contact's last message. **Send text** has On Error = \"Continue (using error output)\": a text Flowella refuses comes out on the bottom branch.\n\n**Outside 24 hours?** keeps only that refusal (other errors, like a bad phone, go to **Other errors**), and **Send template instead** sends the same person an approved template: Template → Send to Many with this one recipient.\n\nThe playground's emulator allows every text; to see the fallback, turn the rule on: `curl -X POST http://localhost:4010/__emulator/config -H 'content-type: application/json' -d '{\"freeFormWindowHours\":24}'`",
		stages: [
			{
				name: 'Send text',
				rowsName: 'Customers',
				splitName: 'One item per customer',
				credential,
				errorBranch: true,
				okName: 'Sent as text',
				fixName: 'Outside 24 hours?',
				parameters: sendTextParameters({ to: '={{ $json.phone }}' }),
				rows: [
					{ phone: '+34 612 345 678', name: 'Lucía', text: 'Hi Lucía, your table for two is booked for Friday at 20:30.' },
					{ phone: '+44 7700 900123', name: 'Oliver', text: 'Hi Oliver, your table for four is booked for Saturday at 13:00.' },
					{ phone: 'ask reception', name: 'Walk-in', text: 'Hi, your table is booked.' },
				],
			},
		],
	});
	const check = 'Outside 24 hours?';
	const index = workflow.nodes.findIndex((node) => node.name === check);
	const [x, y] = workflow.nodes[index].position;
	workflow.nodes[index] = outsideWindowCheck(id, check, [x, y]);
	workflow.nodes.push(
		{
			parameters: templateSendParameters(),
			id: nodeId(id, 'Send template instead'),
			name: 'Send template instead',
			type: NODE_TYPE,
			typeVersion: 1,
			position: [x + 240, y - 80],
			credentials: credentialRef(credential),
		},
		{ parameters: {}, id: nodeId(id, 'Other errors'), name: 'Other errors', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [x + 240, y + 80] },
	);
	const note = workflow.nodes.find((node) => node.name === 'Sticky Note');
	if (note) Object.assign(note.parameters, { height: 380, width: 460 });
	workflow.connections[check] = {
		main: [[{ node: 'Send template instead', type: 'main', index: 0 }], [{ node: 'Other errors', type: 'main', index: 0 }]],
	};
	return workflow;
}

module.exports = {
	CHANNEL,
	WELCOME_TEMPLATE,
	sendTextParameters,
	templateSendParameters,
	optOutParameters,
	templateCampaignExample,
	templateFallbackExample,
};
