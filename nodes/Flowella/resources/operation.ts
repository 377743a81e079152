import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { retryOnFailNotice } from '../fields/descriptions';
import type { FlowellaClient, ItemClient, Writes } from '../transport/client';

interface OperationBase {
	/** Its entry in the resource's Operation list (name, value, action, description). */
	option: INodePropertyOptions & { value: string; action: string };
	/** Its fields; the resource's index shows them only for this operation. */
	description: INodeProperties[];
	/** What its writes are (safe to repeat, or what they send); unset for an operation that only reads. */
	writes?: Writes;
}

/**
 * Runs once per input item, several items at a time: returns the item's result (one output
 * item), a list (one output item each, as Get Many), or throws for an error item.
 */
export interface ItemOperation extends OperationBase {
	kind?: 'item';
	execute(this: IExecuteFunctions, item: ItemClient): Promise<IDataObject | IDataObject[]>;
}

/** Runs once over all input items (one bulk request for many); its output items may pair with many inputs. */
export interface BatchOperation extends OperationBase {
	kind: 'batch';
	execute(this: IExecuteFunctions, client: FlowellaClient, items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
}

export type FlowellaOperation = ItemOperation | BatchOperation;

/** A field shown only for one resource and operation (and under any conditions of its own). */
function shownOnlyFor(resource: string, operation: string, field: INodeProperties): INodeProperties {
	const show = { resource: [resource], operation: [operation], ...field.displayOptions?.show };
	return { ...field, displayOptions: { ...field.displayOptions, show } };
}

/**
 * A resource's Operation list and its operations' fields (after a Retry On Fail notice for those
 * that write): the node's description for that resource.
 */
export function resourceDescription(
	resource: string,
	operations: Record<string, FlowellaOperation>,
	defaultOperation: string,
): INodeProperties[] {
	const list = Object.values(operations);
	return [
		{
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: [resource] } },
			options: list.map((operation) => operation.option).sort((a, b) => a.name.localeCompare(b.name)),
			default: defaultOperation,
		},
		...list.flatMap((operation) =>
			[...(operation.writes ? [retryOnFailNotice] : []), ...operation.description].map((field) => shownOnlyFor(resource, operation.option.value, field)),
		),
	];
}
