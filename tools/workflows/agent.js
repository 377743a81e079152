'use strict';
// Workflow JSON for n8n's AI Agent driving the Flowella node as its tools: a trigger (Manual, or
// Chat for the playground) → AI Agent, with the OpenAI Chat Model (its credential's Base URL at the
// chat model stand-in, emulator/chat-model.js) and Flowella tool nodes (`n8n-nodes-flowella.flowellaTool`,
// the tool n8n makes from the node's `usableAsTool`). Shared by e2e/agent.e2e.test.js and the
// playground's example (tools/n8n-examples.js).
const { PACKAGE_NAME } = require('../n8n-harness');
const { nodeId } = require('./rows');

const TOOL_TYPE = `${PACKAGE_NAME}.flowellaTool`;
const AGENT_TYPE = '@n8n/n8n-nodes-langchain.agent';
const MODEL_TYPE = '@n8n/n8n-nodes-langchain.lmChatOpenAi';
const CHAT_TRIGGER_TYPE = '@n8n/n8n-nodes-langchain.chatTrigger';
const MANUAL_TRIGGER = "When clicking 'Execute workflow'";
// The editor's marker on a value set with "Let the model define this parameter".
const FROM_AI_MARKER = '/*n8n-auto-generated-fromAI-override*/';

/** The AI Agent version each n8n line creates by default (3.1 appeared after 1.123). */
const agentVersionFor = (n8nVersion) => (n8nVersion.startsWith('1.') ? 3 : 3.1);

/** `$fromAI(key, description, type)` as the editor writes it, with a description the model can act on. */
function fromAI(key, description, type = 'string') {
	return `={{ ${FROM_AI_MARKER} $fromAI('${key}', \`${description}\`, '${type}') }}`;
}

/** The Flowella tool nodes the agent gets, named as the model will see them (spaces become _). */
const FLOWELLA_TOOLS = {
	upsert: {
		name: 'Create or update contact',
		parameters: {
			resource: 'contact',
			operation: 'upsert',
			phone: fromAI('Phone', "The contact's WhatsApp phone number in international format with + and country code, e.g. +34612345678"),
			additionalFields: { name: fromAI('Name', "The contact's full name, e.g. Ada Lovelace") },
			options: {},
		},
	},
	sendText: {
		name: 'Send WhatsApp text',
		parameters: {
			resource: 'message',
			operation: 'sendText',
			to: fromAI('To', 'Phone number of the recipient in international format with + and country code, e.g. +34612345678'),
			text: fromAI('Text', 'The message to send, plain text, at most 4096 characters'),
			options: {},
		},
	},
	getAll: {
		name: 'Get contacts',
		parameters: {
			resource: 'contact',
			operation: 'getAll',
			returnAll: false,
			limit: fromAI('Limit', 'How many contacts to return, from 1 to 100', 'number'),
			options: {},
		},
	},
};

/** What a tool node is called by the model: n8n's nodeNameToToolName. */
const toolName = (nodeName) => nodeName.replace(/[^a-zA-Z0-9_-]+/g, '_');

/**
 * @param {{ id: string, name: string, n8nVersion: string, trigger?: 'manual' | 'chat', prompt?: string,
 *   systemMessage?: string, tools?: Array<keyof typeof FLOWELLA_TOOLS>, flowellaCredential: { id: string, name: string },
 *   openAiCredential: { id: string, name: string }, model?: string, responsesApi?: boolean, notes?: string,
 *   toolOnError?: 'continueRegularOutput' }} spec toolOnError: the tool nodes' On Error setting. n8n 1.x
 *   ends the whole agent run when a tool node fails unless it is "Continue"; 2.x hands the error's
 *   message to the model either way. With "Continue" the Flowella node itself returns
 *   `{ error, message }`, so the model also reads the advice (e.g. "check before sending it again").
 */
function agentWorkflow(spec) {
	const { id, n8nVersion, trigger = 'manual', tools = ['upsert', 'sendText', 'getAll'], model = 'gpt-4o-mini', responsesApi = true } = spec;
	const triggerName = trigger === 'chat' ? 'When chat message received' : MANUAL_TRIGGER;
	/** @type {import('./rows').WorkflowNode[]} */
	const nodes = [
		trigger === 'chat'
			? {
					parameters: { options: {} },
					id: nodeId(id, triggerName),
					name: triggerName,
					type: CHAT_TRIGGER_TYPE,
					typeVersion: 1.3,
					position: [0, 0],
					webhookId: nodeId(id, 'chat webhook'),
				}
			: { parameters: {}, id: nodeId(id, triggerName), name: triggerName, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
		{
			parameters: {
				...(trigger === 'chat' ? { promptType: 'auto' } : { promptType: 'define', text: spec.prompt }),
				options: spec.systemMessage ? { systemMessage: spec.systemMessage } : {},
			},
			id: nodeId(id, 'AI Agent'),
			name: 'AI Agent',
			type: AGENT_TYPE,
			typeVersion: agentVersionFor(n8nVersion),
			position: [260, 0],
		},
		{
			parameters: { model: { __rl: true, mode: 'list', value: model, cachedResultName: model }, responsesApiEnabled: responsesApi, options: {} },
			id: nodeId(id, 'OpenAI Chat Model'),
			name: 'OpenAI Chat Model',
			type: MODEL_TYPE,
			typeVersion: 1.3,
			position: [140, 260],
			credentials: { openAiApi: { id: spec.openAiCredential.id, name: spec.openAiCredential.name } },
		},
	];
	/** @type {import('./rows').Workflow['connections']} */
	const connections = {
		[triggerName]: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
		'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
	};
	tools.forEach((key, index) => {
		const tool = FLOWELLA_TOOLS[key];
		nodes.push({
			parameters: tool.parameters,
			id: nodeId(id, tool.name),
			name: tool.name,
			type: TOOL_TYPE,
			typeVersion: 1,
			position: [340 + index * 160, 260],
			credentials: { flowellaApi: { id: spec.flowellaCredential.id, name: spec.flowellaCredential.name } },
			...(spec.toolOnError ? { onError: spec.toolOnError } : {}),
		});
		connections[tool.name] = { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] };
	});
	if (spec.notes) {
		nodes.push({
			parameters: { content: spec.notes, height: 300, width: 460 },
			id: nodeId(id, 'Sticky Note'),
			name: 'Sticky Note',
			type: 'n8n-nodes-base.stickyNote',
			typeVersion: 1,
			position: [0, -360],
		});
	}
	return { id, name: spec.name, nodes, connections, active: false, settings: { executionOrder: 'v1' }, pinData: {}, tags: [] };
}

/** The `openAiApi` credential whose Base URL is the stand-in (import:credentials shape). */
function standInCredential({ id, name, model }) {
	return { id, name, type: 'openAiApi', data: { apiKey: model.apiKey, url: model.url, header: false } };
}

/** The playground's stand-in model (emulator/chat-model.js demoModel) and its credential. */
const PLAYGROUND_MODEL = { credential: { id: 'openAiStandIn001', name: 'OpenAI (local stand-in model)' }, apiKey: 'sk-flowella-playground-stand-in' };

const EXAMPLE_SYSTEM_MESSAGE =
	'You manage WhatsApp contacts and messages in Flowella for the user. Phone numbers go to the tools in international format with + and the country code. ' +
	'When a tool answers with an error, tell the user what it says; if it says a message may have been sent, do not send it again.';

/** examples/ai-agent.json: Chat Trigger → AI Agent with the stand-in model and the three Flowella tools. */
function aiAgentExample(flowellaCredential) {
	return agentWorkflow({
		id: 'flowellaExample6',
		name: 'Flowella example: AI agent adds and welcomes contacts (chat)',
		// Agent 3 exists in both n8n lines; 2.x opens it as is.
		n8nVersion: '1.x',
		trigger: 'chat',
		systemMessage: EXAMPLE_SYSTEM_MESSAGE,
		flowellaCredential,
		openAiCredential: PLAYGROUND_MODEL.credential,
		toolOnError: 'continueRegularOutput',
		notes:
			'## AI agent with Flowella tools\nOpen the chat (**Open chat** / **Chat** button) and type:\n\n`add Ada Lovelace, +34 612 34 56 78, and welcome her`\n\nThe agent calls **Create or update contact**, then **Send WhatsApp text**; the answer lists what Flowella returned. `list contacts` uses **Get contacts**.\n\nIn the playground the **OpenAI Chat Model** is a local scripted stand-in (credential "OpenAI (local stand-in model)"), so this runs offline. Pick your own OpenAI credential to use a real model.\n\nEach tool field is set with **Let the model define this parameter**; its description is what the model reads. The tools\' **On Error** is "Continue", so a refused call comes back to the model as `{ error, message }` with what to do.',
	});
}

module.exports = {
	agentWorkflow,
	aiAgentExample,
	standInCredential,
	FLOWELLA_TOOLS,
	PLAYGROUND_MODEL,
	toolName,
};
