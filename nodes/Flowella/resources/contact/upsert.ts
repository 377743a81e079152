import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { openConnection } from '../../shared/connection';
import { RequestPacer } from '../../shared/pacer';
import { openRerunMemo } from '../../shared/rerunMemo';
import { runItems } from '../../shared/runItems';
import { executionCancelSignal } from '../../shared/stop';
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

/** Errors built here already name their item; n8n's own (an expression it could not resolve, say) get `[item N]` too. */
function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	const nodeError =
		error instanceof NodeApiError || error instanceof NodeOperationError
			? error
			: new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
	const label = `[item ${itemIndex}]`;
	if (!nodeError.message.includes(label)) nodeError.message = `${nodeError.message} ${label}`;
	nodeError.context.itemIndex ??= itemIndex;
	return nodeError;
}

/** One option of one item: only its own expression is evaluated, so a failing one fails only what uses it. */
function readOption(ctx: IExecuteFunctions, name: string, itemIndex: number, fallback: unknown): unknown {
	return ctx.getNodeParameter(`options.${name}`, itemIndex, fallback);
}

function readOptions(ctx: IExecuteFunctions, itemIndex: number) {
	const defaultCountryCode = String(readOption(ctx, 'defaultCountryCode', itemIndex, '') ?? '').trim().replace(/^\+/, '');
	if (defaultCountryCode !== '' && !isValidCountryCode(defaultCountryCode)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid Default Country Code "${defaultCountryCode}" [item ${itemIndex}]: use 1 to 3 digits, such as 34`,
			{ itemIndex },
		);
	}
	const emptyValues = readOption(ctx, 'emptyValues', itemIndex, 'skip');
	const timeout = readOption(ctx, 'timeout', itemIndex, DEFAULT_TIMEOUT_MS);
	return {
		defaultCountryCode,
		emptyValues: (emptyValues === 'clear' ? 'clear' : 'skip') as EmptyValues,
		timeoutMs: typeof timeout === 'number' && timeout > 0 ? timeout : DEFAULT_TIMEOUT_MS,
	};
}

/**
 * Parallel Requests is read once, for item 0, as the pacer is shared by all items. It cannot fail
 * the node: an expression that fails or comes out empty there means the default.
 */
function readConcurrency(ctx: IExecuteFunctions): number {
	let raw: unknown;
	try {
		raw = ctx.getNodeParameter('options.concurrency', 0, DEFAULT_CONCURRENCY);
	} catch {
		return DEFAULT_CONCURRENCY;
	}
	const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
	if (!Number.isFinite(value)) return DEFAULT_CONCURRENCY;
	return Math.min(MAX_CONCURRENCY, Math.max(1, Math.floor(value)));
}

/** Contact → Create or Update: one POST /api/v1/contacts per item, one output item per input item. */
export async function upsertContacts(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const itemCount = ctx.getInputData().length;
	if (itemCount === 0) return [];
	const cancelSignal = executionCancelSignal(ctx);
	const connection = await openConnection(ctx);
	const concurrency = readConcurrency(ctx);
	const pacer = new RequestPacer(concurrency);
	const memo = openRerunMemo(ctx, cancelSignal);

	let output: INodeExecutionData[] | undefined;
	try {
		output = await runItems(ctx, itemCount, concurrency, sendItem, cancelSignal);
		return output;
	} finally {
		memo?.close(output);
	}

	async function sendItem(itemIndex: number, signal: AbortSignal): Promise<INodeExecutionData> {
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
				{ method: 'POST', path: '/api/v1/contacts', body: request.body, itemIndex, signal },
				contactRowProblem,
			)) as IDataObject;
			memo?.remember(itemIndex, request.body, row);
			return { json: row, pairedItem: { item: itemIndex } };
		} catch (error) {
			throw asNodeError(ctx, error, itemIndex);
		}
	}
}
