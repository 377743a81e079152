import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { optionsCollection } from '../../fields/descriptions';
import { channelIdOption } from '../../fields/ids';
import { defaultCountryCodeOption, phoneField } from '../../fields/phoneField';
import type { FlowellaClient, Writes } from '../../transport/client';
import { hasId } from '../../transport/client';
import { asNodeError, failedItem } from '../../transport/itemErrors';
import type { RememberedOutcome } from '../../transport/rerunMemo';
import { replayOutcome } from '../../transport/rerunMemo';
import { sendingAdvice } from '../../transport/sendingAdvice';
import type { BatchOperation } from '../operation';
import type { TemplateRecipient } from './recipient';
import { readRecipientItem } from './recipient';

export const kind = 'batch';

export const option: BatchOperation['option'] = {
	name: 'Send to Many',
	value: 'send',
	description: 'Send an approved WhatsApp template to every input item in one bulk job, paced by Flowella',
	action: 'Send a WhatsApp template to many recipients',
};

// A bulk job created twice sends every message twice: never retried once it may have reached Flowella.
export const writes: Writes = { safeToRepeat: false, sends: 'bulk send job', advice: sendingAdvice };

// Flowella's cap on the recipients of one bulk job.
const MAX_RECIPIENTS_PER_JOB = 50_000;

export const description: INodeProperties[] = [
	{
		displayName: 'Template ID',
		name: 'templateId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. clxxxxxxxxxxxxxxxxxxxxxxxx',
		description:
			"ID of the approved template, as shown on the template's page in Flowella (the API cannot list templates). A numeric Meta template ID also needs Template WABA ID under Options.",
	},
	{
		...channelIdOption,
		required: true,
		description: "ID of the WhatsApp channel to send from, as shown in the channel's settings in Flowella",
	},
	phoneField('phone', 'Phone', "The recipient's phone number in international format; each input item is one recipient."),
	{
		displayName: 'Body Parameters',
		name: 'bodyParameters',
		type: 'fixedCollection',
		placeholder: 'Add parameter',
		default: {},
		typeOptions: { multipleValues: true, sortable: true },
		description: "Values for the template's body placeholders {{1}}, {{2}}, … in this order, usually expressions that read them from the item",
		options: [
			{
				displayName: 'Parameter',
				name: 'parameter',
				values: [
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'Text that replaces this placeholder for the item',
					},
				],
			},
		],
	},
	optionsCollection(
		[
			{
				displayName: 'Button Parameters',
				name: 'buttonParameters',
				type: 'json',
				default: '[]',
				description: "The recipient's button parameters, a JSON array of objects as the template's buttons need them",
			},
			{
				displayName: 'Contact ID',
				name: 'contactId',
				type: 'string',
				default: '',
				description: "ID of the recipient's contact in Flowella, when known",
			},
			defaultCountryCodeOption,
			{
				displayName: 'Header Media',
				name: 'headerMedia',
				type: 'json',
				default: '{}',
				description: 'Media for a template whose header is an image, video or document, a JSON object as Flowella expects it',
			},
			{
				displayName: 'Scheduled At',
				name: 'scheduledAt',
				type: 'dateTime',
				default: '',
				description: "When Flowella starts sending; empty sends now. A date and time without a zone is in the workflow's timezone.",
			},
			{
				displayName: 'Template WABA ID',
				name: 'templateWabaId',
				type: 'string',
				default: '',
				description: 'WhatsApp Business Account ID of the template; required when Template ID is a numeric Meta template ID',
			},
			{
				displayName: 'Throttle Per Hour',
				name: 'throttlePerHour',
				type: 'number',
				default: 1000,
				typeOptions: { minValue: 1, maxValue: 100000 },
				description: 'Most messages Flowella sends per hour for this job (1 to 100,000); it paces delivery itself',
			},
		],
		{ parallel: false },
	),
];

interface Job {
	/** The job-level fields, the same for every recipient of the job. */
	fields: IDataObject;
	recipients: TemplateRecipient[];
	itemIndexes: number[];
}

/** Valid items grouped by their job-level values, in the order each group first appears; split beyond Flowella's cap. */
function groupIntoJobs(valid: Array<{ itemIndex: number; jobKey: string; fields: IDataObject; recipient: TemplateRecipient }>): Job[] {
	const groups = new Map<string, Job[]>();
	for (const item of valid) {
		const jobs = groups.get(item.jobKey) ?? [];
		let job = jobs[jobs.length - 1];
		if (!job || job.recipients.length >= MAX_RECIPIENTS_PER_JOB) {
			job = { fields: item.fields, recipients: [], itemIndexes: [] };
			jobs.push(job);
		}
		job.recipients.push(item.recipient);
		job.itemIndexes.push(item.itemIndex);
		groups.set(item.jobKey, jobs);
	}
	return [...groups.values()].flat().sort((a, b) => a.itemIndexes[0] - b.itemIndexes[0]);
}

function itemRange(itemIndexes: number[]): string {
	const first = itemIndexes[0];
	const last = itemIndexes[itemIndexes.length - 1];
	return first === last ? `item ${first}` : `items ${first}–${last}`;
}

/**
 * A node that stops has no output, so the jobs it did create are easy to miss: a manual re-run
 * would create them again. Say which ones, where the user decides.
 */
function warnAboutCreatedJobs<E extends { description?: string | null }>(error: E, created: Array<{ id: unknown; items: number[] }>): E {
	if (created.length === 0) return error;
	const jobs = created.map((job) => `${String(job.id)} for ${itemRange(job.items)}`).join('; ');
	const count = created.length === 1 ? '1 other bulk send job was' : `${created.length} other bulk send jobs were`;
	error.description = `${error.description ?? ''} ${count} created before the node stopped (${jobs}); running the workflow again creates ${created.length === 1 ? 'it' : 'them'} again.`.trim();
	return error;
}

/** An earlier try's job (n8n's Retry On Fail), or one to send now. */
type JobToRun = { items: number[]; earlier: RememberedOutcome } | (Job & { items: number[]; earlier?: undefined });

/**
 * Template → Send to Many: every valid input item becomes a recipient of one bulk job (POST
 * /api/v1/templates/send); items whose job-level values differ go into jobs of their own. All
 * items are checked before anything is sent. A job is never sent twice: not retried once it may
 * have reached Flowella, and not sent again by n8n's re-run, which gets the earlier try's answer
 * for every item of that job, whatever its fields evaluate to now. One output item per job,
 * paired with all its input items.
 */
export async function execute(this: IExecuteFunctions, client: FlowellaClient, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const continueOnFail = this.continueOnFail();
	const timeZone = this.getTimezone();
	const output: Array<{ order: number; item: INodeExecutionData }> = [];
	const earlierJobs = new Map<number, RememberedOutcome>();
	const valid = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const earlier = client.recall(itemIndex);
		if (earlier) {
			earlierJobs.set(earlier.items[0], earlier);
			continue;
		}
		try {
			valid.push({ itemIndex, ...readRecipientItem(this, itemIndex, timeZone) });
		} catch (error) {
			// Stop Workflow: one bad item stops the node before anything (more) is sent.
			if (!continueOnFail) throw warnAboutCreatedJobs(asNodeError(this, error, itemIndex), createdBefore(earlierJobs));
			output.push({ order: itemIndex, item: failedItem(asNodeError(this, error, itemIndex), itemIndex) });
		}
	}

	const jobs: JobToRun[] = [
		...[...earlierJobs.values()].map((earlier) => ({ items: earlier.items, earlier })),
		...groupIntoJobs(valid).map((job) => ({ ...job, items: job.itemIndexes })),
	].sort((a, b) => a.items[0] - b.items[0]);
	const created: Array<{ id: unknown; items: number[] }> = [];
	for (const job of jobs) {
		const first = job.items[0];
		const pairedItem = job.items.map((item) => ({ item }));
		try {
			const answer = job.earlier ? replayOutcome(this, first, job.earlier) : await sendJob(client, job);
			created.push({ id: answer.id, items: job.items });
			output.push({ order: first, item: { json: { ...answer, recipientCount: job.items.length }, pairedItem } });
		} catch (caught) {
			const error = asNodeError(this, caught, first);
			// The job is all its items: say so where the error names one.
			error.message = error.message.replace(`[item ${first}]`, `[${itemRange(job.items)}]`);
			if (!continueOnFail) throw warnAboutCreatedJobs(error, created);
			output.push({ order: first, item: { ...failedItem(error, first), pairedItem } });
		}
	}
	return output.sort((a, b) => a.order - b.order).map(({ item }) => item);
}

/** The jobs an earlier try created (n8n's Retry On Fail), for an error that stops the node before any is run again. */
function createdBefore(earlierJobs: Map<number, RememberedOutcome>): Array<{ id: unknown; items: number[] }> {
	return [...earlierJobs.values()].flatMap((earlier) => (earlier.kind === 'answered' ? [{ id: earlier.row.id, items: earlier.items }] : []));
}

/** One POST /api/v1/templates/send for the job, carrying all its items. */
async function sendJob(client: FlowellaClient, job: Job): Promise<IDataObject> {
	const item = client.forItem(job.itemIndexes[0], job.itemIndexes);
	return await item.write('/api/v1/templates/send', { ...job.fields, recipients: job.recipients }, hasId('job'));
}
