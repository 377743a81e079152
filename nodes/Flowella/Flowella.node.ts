import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resourceProperty, resources } from './resources';
import { router } from './router';

export class Flowella implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Flowella',
		name: 'flowella',
		icon: { light: 'file:../../icons/flowella.svg', dark: 'file:../../icons/flowella.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Send WhatsApp messages and bulk templates, create or update contacts, and read conversations and message stats in Flowella',
		defaults: { name: 'Flowella' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'flowellaApi', required: true }],
		properties: [
			resourceProperty,
			...Object.values(resources).flatMap((resource) => resource.description),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
