import type { INodeProperties } from 'n8n-workflow';

import type { FlowellaOperation } from './operation';
import * as analytics from './analytics';
import * as contact from './contact';
import * as conversation from './conversation';
import * as message from './message';
import * as template from './template';

/** Every resource and its operations: adding an operation is its file plus one line in its resource's index. */
export const resources = { analytics, contact, conversation, message, template } satisfies Record<
	string,
	{ operations: Record<string, FlowellaOperation>; description: INodeProperties[] }
>;

export const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Analytics', value: 'analytics' },
		{ name: 'Contact', value: 'contact' },
		{ name: 'Conversation', value: 'conversation' },
		{ name: 'Message', value: 'message' },
		{ name: 'Template', value: 'template' },
	],
	default: 'contact',
};
