import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { FlowellaClient } from '../../shared/client';
import { optionsCollection, returnAllAndLimit } from '../../shared/descriptions';
import { getMany } from '../../shared/getMany';
import type { ItemOperation } from '../../shared/operation';

export const kind = 'item';

export const option: ItemOperation['option'] = {
	name: 'Get Many',
	value: 'getAll',
	description: 'Get many contacts, newest last, as Flowella lists them',
	action: 'Get many contacts',
};

export const description: INodeProperties[] = [
	...returnAllAndLimit({ resource: ['contact'], operation: ['getAll'] }),
	optionsCollection({ resource: ['contact'], operation: ['getAll'] }),
];

/** Contact → Get Many: GET /api/v1/contacts page by page; one output item per contact. */
export async function execute(this: IExecuteFunctions, client: FlowellaClient, itemIndex: number, signal: AbortSignal): Promise<IDataObject[]> {
	return await getMany(this, client, { itemIndex, signal, path: '/api/v1/contacts' });
}
