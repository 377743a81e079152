import type { INodeProperties } from 'n8n-workflow';

import { upsertFields } from './upsert.description';

const showOnlyForContacts = { resource: ['contact'] };

export const contactOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: showOnlyForContacts },
	options: [
		{
			name: 'Create or Update',
			value: 'upsert',
			description: 'Create a new record, or update the current one if it already exists (upsert)',
			action: 'Create or update a contact',
		},
	],
	default: 'upsert',
};

export const contactDescription: INodeProperties[] = [contactOperations, ...upsertFields];
