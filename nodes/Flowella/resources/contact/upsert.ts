import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { openConnection } from '../../shared/connection';
import { RequestPacer } from '../../shared/pacer';
import { openRerunMemo } from '../../shared/rerunMemo';
import { runItems } from '../../shared/runItems';
import { flowellaRequest } from '../../shared/transport';
import { contactRowProblem } from './contactRow';
import { isValidCountryCode } from './phone';
import type { EmptyValues, FieldProblem } from './upsertRequest';
import { buildUpsertRequest } from './upsertRequest';

export const DEFAULT_CONCURRENCY = 5;
export const MAX_CONCURRENCY = 50;
const DEFAULT_TIMEOUT_MS = 30_000;

const FIELD_LABELS: Record<FieldProblem['field'], string> = {
	phone: 'Phone',
	name: 'Name',
	email: 'Email',
	waId: 'WhatsApp ID',
};

function shownValue(value: unknown): string {
	const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
	return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function validationError(ctx: IExecuteFunctions, problem: FieldProblem, itemIndex: number) {
	const label = FIELD_LABELS[problem.field];
	return new NodeOperationError(
		ctx.getNode(),
		`Invalid ${label} ${shownValue(problem.value)} [item ${itemIndex}]: it ${problem.reason}`,
		{ itemIndex, description: `Fix the "${label}" value of item ${itemIndex}; nothing was sent to Flowella for it.` },
	);
}

/** Errors built here already carry the item index; anything else gets one. */
function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

function readOptions(ctx: IExecuteFunctions, itemIndex: number) {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const defaultCountryCode = String(options.defaultCountryCode ?? '').trim().replace(/^\+/, '');
	if (defaultCountryCode !== '' && !isValidCountryCode(defaultCountryCode)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid Default Country Code "${defaultCountryCode}" [item ${itemIndex}]: use 1 to 3 digits, such as 34`,
			{ itemIndex },
		);
	}
	return {
		defaultCountryCode,
		emptyValues: (options.emptyValues === 'clear' ? 'clear' : 'skip') as EmptyValues,
		timeoutMs: typeof options.timeout === 'number' && options.timeout > 0 ? options.timeout : DEFAULT_TIMEOUT_MS,
	};
}

/** The Parallel Requests option is read once per execution: the pacer is shared by all items. */
function readConcurrency(ctx: IExecuteFunctions): number {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const value = Number(options.concurrency ?? DEFAULT_CONCURRENCY);
	if (!Number.isFinite(value)) return DEFAULT_CONCURRENCY;
	return Math.min(MAX_CONCURRENCY, Math.max(1, Math.floor(value)));
}

/** Contact → Create or Update: one POST /api/v1/contacts per item, one output item per input item. */
export async function upsertContacts(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const itemCount = ctx.getInputData().length;
	if (itemCount === 0) return [];
	const connection = await openConnection(ctx);
	const concurrency = readConcurrency(ctx);
	const pacer = new RequestPacer(concurrency);
	const memo = openRerunMemo(ctx);

	const output = await runItems(ctx, itemCount, concurrency, async (itemIndex) => {
		try {
			const options = readOptions(ctx, itemIndex);
			const request = buildUpsertRequest({
				phone: ctx.getNodeParameter('phone', itemIndex),
				additionalFields: ctx.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject,
				...options,
			});
			if (!request.ok) throw validationError(ctx, request, itemIndex);
			if (!connection.ok) throw new NodeOperationError(ctx.getNode(), connection.reason, { itemIndex });
			const remembered = memo?.recall(itemIndex, request.body);
			if (remembered) return { json: remembered, pairedItem: { item: itemIndex } };
			const row = (await flowellaRequest(
				ctx,
				{ ...connection.settings, timeoutMs: options.timeoutMs, pacer },
				{ method: 'POST', path: '/api/v1/contacts', body: request.body, itemIndex },
				contactRowProblem,
			)) as IDataObject;
			memo?.remember(itemIndex, request.body, row);
			return { json: row, pairedItem: { item: itemIndex } };
		} catch (error) {
			throw asNodeError(ctx, error, itemIndex);
		}
	});
	memo?.finish(output);
	return output;
}
