import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { FlowellaClient } from './client';

interface OperationBase {
	/** Its entry in the resource's Operation list (name, value, action, description). */
	option: INodePropertyOptions & { value: string; action: string };
	/** Its fields, each shown only for this resource and operation. */
	description: INodeProperties[];
}

/**
 * Runs once per input item, several items at a time: returns the item's result (one output
 * item), a list (one output item each, as Get Many), or throws for an error item.
 */
export interface ItemOperation extends OperationBase {
	kind: 'item';
	/** What it sends that must not arrive twice ("message"); unset for what is safe to repeat. */
	sends?: string;
	execute(this: IExecuteFunctions, client: FlowellaClient, itemIndex: number, signal: AbortSignal): Promise<IDataObject | IDataObject[]>;
}

/** Runs once over all input items (one bulk request for many); its output items may pair with many inputs. */
export interface BatchOperation extends OperationBase {
	kind: 'batch';
	execute(this: IExecuteFunctions, client: FlowellaClient, items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
}

export type FlowellaOperation = ItemOperation | BatchOperation;

/** Shows a field only for one resource and operation. */
export function showFor(resource: string, operation: string, extra: Record<string, unknown[]> = {}) {
	return { show: { resource: [resource], operation: [operation], ...extra } };
}

/** A resource's Operation list and its operations' fields: the node's description for that resource. */
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
		...list.flatMap((operation) => operation.description),
	];
}
