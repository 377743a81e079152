'use strict';
// A shipped workflow made startable by `n8n execute`, which starts only workflows with a Manual
// Trigger: its Schedule or Chat Trigger becomes a Manual Trigger of the same name (so the
// connections hold), and an AI Agent that read the chat's message gets `prompt` typed in instead.
// Everything after the trigger stays as shipped.

const MANUAL_TRIGGER = 'n8n-nodes-base.manualTrigger';
/** Triggers `n8n execute` cannot start but a Manual Trigger can stand in for, by how they start. */
const REPLACEABLE = new Map([
	['n8n-nodes-base.scheduleTrigger', 'schedule'],
	['@n8n/n8n-nodes-langchain.chatTrigger', 'chat'],
]);
const AGENT_TYPE = '@n8n/n8n-nodes-langchain.agent';

/**
 * How `workflow` starts: 'manual', 'schedule' or 'chat' (replaceable by a Manual Trigger), or
 * 'other' (e.g. a webhook trigger).
 * @returns {'manual' | 'schedule' | 'chat' | 'other'}
 */
function startKind(workflow) {
	if (workflow.nodes.some((node) => node.type === MANUAL_TRIGGER)) return 'manual';
	const replaceable = workflow.nodes.find((node) => REPLACEABLE.has(node.type));
	return replaceable ? /** @type {'schedule' | 'chat'} */ (REPLACEABLE.get(replaceable.type)) : 'other';
}

/**
 * A copy of `workflow` with its schedule or chat trigger replaced by a Manual Trigger; an AI Agent
 * that took the chat's message gets `prompt` instead. Throws when there is nothing to replace.
 * @template {{ nodes: any[] }} W
 * @param {W} workflow
 * @param {{ prompt?: string }} [options]
 * @returns {W}
 */
function startedByHand(workflow, { prompt } = {}) {
	const copy = JSON.parse(JSON.stringify(workflow));
	const trigger = copy.nodes.find((node) => REPLACEABLE.has(node.type));
	if (!trigger) throw new Error(`${copy.name ?? 'the workflow'} has no schedule or chat trigger to replace`);
	const wasChat = REPLACEABLE.get(trigger.type) === 'chat';
	Object.assign(trigger, { type: MANUAL_TRIGGER, typeVersion: 1, parameters: {} });
	delete trigger.webhookId;
	if (wasChat) {
		if (prompt === undefined) throw new Error(`${copy.name ?? 'the workflow'} starts from a chat: give the prompt to type in`);
		for (const agent of copy.nodes.filter((node) => node.type === AGENT_TYPE)) {
			Object.assign(agent.parameters, { promptType: 'define', text: prompt });
		}
	}
	return copy;
}

module.exports = { startedByHand, startKind };
