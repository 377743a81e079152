import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { FlowellaClient } from '../../shared/client';
import { readDateTime } from '../../shared/dates';
import { optionsCollection } from '../../shared/descriptions';
import { invalidField } from '../../shared/itemErrors';
import type { ItemOperation } from '../../shared/operation';
import { showFor } from '../../shared/operation';
import { readTimeout } from '../../shared/options';

export const kind = 'item';

export const option: ItemOperation['option'] = {
	name: 'Get Outbound Message Stats',
	value: 'getOutbound',
	description: 'Count the messages sent in a period by status, with delivery, read and failure rates',
	action: 'Get outbound message stats',
};

export const description: INodeProperties[] = [
	{
		displayName: 'Start Date',
		name: 'startDate',
		type: 'dateTime',
		required: true,
		default: '',
		description: "Start of the period. A date and time without a zone is in the workflow's timezone.",
		displayOptions: showFor('analytics', 'getOutbound'),
	},
	{
		displayName: 'End Date',
		name: 'endDate',
		type: 'dateTime',
		required: true,
		default: '',
		description: "End of the period, after the start. A date and time without a zone is in the workflow's timezone.",
		displayOptions: showFor('analytics', 'getOutbound'),
	},
	optionsCollection({ resource: ['analytics'], operation: ['getOutbound'] }),
];

/**
 * Analytics → Get Outbound Message Stats: GET /api/v1/analytics for the period; one output item,
 * Flowella's answer as it is (`outboundMessages.total`, `counts` by status, and `deliveryRate`,
 * `readRate`, `failureRate` as fractions: 0.85 is 85%).
 */
export async function execute(this: IExecuteFunctions, client: FlowellaClient, itemIndex: number, signal: AbortSignal): Promise<IDataObject> {
	const timeZone = this.getTimezone();
	const rawStart = this.getNodeParameter('startDate', itemIndex, '');
	const rawEnd = this.getNodeParameter('endDate', itemIndex, '');
	const start = readDateTime(rawStart, timeZone);
	if (!start.ok) throw invalidField(this, 'Start Date', rawStart, start.reason, itemIndex);
	const end = readDateTime(rawEnd, timeZone);
	if (!end.ok) throw invalidField(this, 'End Date', rawEnd, end.reason, itemIndex);
	if (end.time <= start.time) {
		throw invalidField(this, 'End Date', rawEnd, `is not after the Start Date (${start.iso})`, itemIndex);
	}
	return (await client.request({
		method: 'GET',
		path: '/api/v1/analytics',
		qs: { startDate: start.iso, endDate: end.iso },
		idempotent: true,
		itemIndex,
		signal,
		timeoutMs: readTimeout(this, itemIndex),
	})) as IDataObject;
}
