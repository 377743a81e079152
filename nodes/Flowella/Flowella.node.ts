import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { contactDescription } from './resources/contact';
import { upsertContacts } from './resources/contact/upsert';

export class Flowella implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Flowella',
		name: 'flowella',
		icon: { light: 'file:../../icons/flowella.svg', dark: 'file:../../icons/flowella.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Create or update WhatsApp contacts in Flowella',
		defaults: { name: 'Flowella' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'flowellaApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Contact', value: 'contact' }],
				default: 'contact',
			},
			...contactDescription,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Only one resource and operation exist; the switch grows when Flowella's other endpoints are added.
		return [await upsertContacts(this)];
	}
}
