import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { optionsCollection, returnAllAndLimit } from '../../fields/descriptions';
import { invalidField } from '../../fields/invalidField';
import { readLimit } from '../../fields/options';
import type { ItemClient } from '../../transport/client';
import type { ItemOperation } from '../operation';

export const option: ItemOperation['option'] = {
	name: 'Get Many',
	value: 'getAll',
	description: 'Get many conversations, optionally only those with one status',
	action: 'Get many conversations',
};

const STATUSES = ['ARCHIVED', 'CLOSED', 'OPEN', 'PENDING', 'SNOOZED'];

export const description: INodeProperties[] = [
	...returnAllAndLimit(),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add filter',
		default: {},
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
	optionsCollection(),
];

/** Conversation → Get Many: GET /api/v1/conversations page by page; one output item per conversation. */
export async function execute(this: IExecuteFunctions, item: ItemClient): Promise<IDataObject[]> {
	const { itemIndex } = item;
	const status = this.getNodeParameter('filters.status', itemIndex, '') as unknown;
	if (status !== '' && status !== undefined && !STATUSES.includes(String(status).toUpperCase())) {
		throw invalidField(this, 'Status', status, `is not a conversation status: use one of ${STATUSES.join(', ')}`, itemIndex);
	}
	const qs = status === '' || status === undefined ? {} : { status: String(status).toUpperCase() };
	return await item.readList('/api/v1/conversations', qs, readLimit(this, itemIndex));
}
