import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { openConnection } from '../../shared/connection';
import { failedItem } from '../../shared/failedItem';
import { flowellaRequest } from '../../shared/transport';
import { contactRowProblem } from './contactRow';
import { isValidCountryCode } from './phone';
import type { EmptyValues, FieldProblem } from './upsertRequest';
import { buildUpsertRequest } from './upsertRequest';

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
		timeoutMs: typeof options.timeout === 'number' && options.timeout > 0 ? options.timeout : 30_000,
	};
}

/** Contact → Create or Update: one POST /api/v1/contacts per item, one output item per input item. */
export async function upsertContacts(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const connection = await openConnection(ctx);
	const output: INodeExecutionData[] = [];

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const options = readOptions(ctx, itemIndex);
			const request = buildUpsertRequest({
				phone: ctx.getNodeParameter('phone', itemIndex),
				additionalFields: ctx.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject,
				...options,
			});
			if (!request.ok) throw validationError(ctx, request, itemIndex);
			if (!connection.ok) throw new NodeOperationError(ctx.getNode(), connection.reason, { itemIndex });
			const row = await flowellaRequest(
				ctx,
				{ ...connection.settings, timeoutMs: options.timeoutMs },
				{ method: 'POST', path: '/api/v1/contacts', body: request.body, itemIndex },
				contactRowProblem,
			);
			output.push({ json: row as IDataObject, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (!ctx.continueOnFail()) throw asNodeError(ctx, error, itemIndex);
			output.push(failedItem(error, itemIndex));
		}
	}
	return output;
}
