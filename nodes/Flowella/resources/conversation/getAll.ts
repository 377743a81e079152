import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { FlowellaClient } from '../../shared/client';
import { optionsCollection, returnAllAndLimit } from '../../shared/descriptions';
import { getMany } from '../../shared/getMany';
import { invalidField } from '../../shared/itemErrors';
import type { ItemOperation } from '../../shared/operation';
import { showFor } from '../../shared/operation';

export const kind = 'item';

export const option: ItemOperation['option'] = {
	name: 'Get Many',
	value: 'getAll',
	description: 'Get many conversations, optionally only those with one status',
	action: 'Get many conversations',
};

const STATUSES = ['ARCHIVED', 'CLOSED', 'OPEN', 'PENDING', 'SNOOZED'];

export const description: INodeProperties[] = [
	...returnAllAndLimit({ resource: ['conversation'], operation: ['getAll'] }),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: showFor('conversation', 'getAll'),
		options: [
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				default: 'OPEN',
				description: 'Only conversations with this status',
				options: [
					{ name: 'Archived', value: 'ARCHIVED' },
					{ name: 'Closed', value: 'CLOSED' },
					{ name: 'Open', value: 'OPEN' },
					{ name: 'Pending', value: 'PENDING' },
					{ name: 'Snoozed', value: 'SNOOZED' },
				],
			},
		],
	},
	optionsCollection({ resource: ['conversation'], operation: ['getAll'] }),
];

/** Conversation → Get Many: GET /api/v1/conversations page by page; one output item per conversation. */
export async function execute(this: IExecuteFunctions, client: FlowellaClient, itemIndex: number, signal: AbortSignal): Promise<IDataObject[]> {
	const status = this.getNodeParameter('filters.status', itemIndex, '') as unknown;
	if (status !== '' && status !== undefined && !STATUSES.includes(String(status).toUpperCase())) {
		throw invalidField(this, 'Status', status, `is not a conversation status: use one of ${STATUSES.join(', ')}`, itemIndex);
	}
	const qs = status === '' || status === undefined ? {} : { status: String(status).toUpperCase() };
	return await getMany(this, client, { itemIndex, signal, path: '/api/v1/conversations', qs });
}
