import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { readDateTime } from '../../fields/dates';
import { optionsCollection } from '../../fields/descriptions';
import { invalidField } from '../../fields/invalidField';
import type { ItemClient } from '../../transport/client';
import type { ItemOperation } from '../operation';

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
	},
	{
		displayName: 'End Date',
		name: 'endDate',
		type: 'dateTime',
		required: true,
		default: '',
		description: "End of the period, after the start. A date and time without a zone is in the workflow's timezone.",
	},
	optionsCollection(),
];

/**
 * Analytics → Get Outbound Message Stats: GET /api/v1/analytics for the period; one output item,
 * Flowella's answer as it is (`outboundMessages.total`, `counts` by status, and `deliveryRate`,
 * `readRate`, `failureRate` as fractions: 0.85 is 85%).
 */
export async function execute(this: IExecuteFunctions, item: ItemClient): Promise<IDataObject> {
	const { itemIndex } = item;
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
	return await item.read('/api/v1/analytics', { startDate: start.iso, endDate: end.iso });
}
