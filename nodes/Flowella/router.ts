import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readConcurrency, readMaxRequestsPerSecond, readTimeout } from './fields/options';
import type { FlowellaNodeMap } from './node.type';
import { resources } from './resources';
import type { FlowellaOperation } from './resources/operation';
import { createClient, sendsOf } from './transport/client';
import { asNodeError } from './transport/itemErrors';
import { replayOutcome } from './transport/rerunMemo';
import { runItems } from './transport/runItems';

function findOperation(resource: string, operation: string): FlowellaOperation | undefined {
	if (!Object.prototype.hasOwnProperty.call(resources, resource)) return undefined;
	const operations: Record<string, FlowellaOperation> = resources[resource as keyof FlowellaNodeMap].operations;
	return Object.prototype.hasOwnProperty.call(operations, operation) ? operations[operation] : undefined;
}

/**
 * A node that stops loses the output of the items it did send: say so where the user decides
 * whether to run the workflow again, which would send those again.
 */
function warnAboutRerun(error: unknown, sends: string, succeeded: number): unknown {
	const nodeError = error as { description?: string | null };
	const sent = succeeded === 1 ? `1 other ${sends} was` : `${succeeded} other ${sends}s were`;
	nodeError.description = `${nodeError.description ?? ''} Before the node stopped, ${sent} sent; running the workflow again sends them again. To keep going past failures, set On Error to "Continue (using error output)".`.trim();
	return error;
}

/**
 * The node's only switch: finds the operation, opens one client for the execution, and runs the
 * operation per item (in input order, several at a time, each output paired with its item) or
 * once for all items. An item that an earlier try of the node sent (n8n's Retry On Fail) gets
 * that try's outcome, before any of its fields is read.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = findOperation(resource, operationName);
	if (!operation) throw new NodeOperationError(this.getNode(), `The operation "${operationName}" of "${resource}" is not supported`);
	if (items.length === 0) return [[]];

	const client = await createClient(this, {
		concurrency: readConcurrency(this),
		maxRequestsPerSecond: readMaxRequestsPerSecond(this),
		timeoutOf: (itemIndex) => readTimeout(this, itemIndex),
		writes: operation.writes,
	});
	let output: INodeExecutionData[] | undefined;
	try {
		if (operation.kind === 'batch') {
			output = await operation.execute.call(this, client, items);
		} else {
			const sends = sendsOf(operation.writes);
			let succeeded = 0;
			try {
				output = await runItems(this, client, items.length, async (itemIndex) => {
					try {
						const earlier = client.recall(itemIndex);
						const result = earlier ? replayOutcome(this, itemIndex, earlier) : await operation.execute.call(this, client.forItem(itemIndex));
						succeeded += 1;
						const list = Array.isArray(result) ? result : [result];
						return list.map((json) => ({ json, pairedItem: { item: itemIndex } }));
					} catch (error) {
						throw asNodeError(this, error, itemIndex);
					}
				});
			} catch (error) {
				throw sends && succeeded > 0 ? warnAboutRerun(error, sends, succeeded) : error;
			}
		}
		return [output];
	} finally {
		client.close(output);
	}
}
