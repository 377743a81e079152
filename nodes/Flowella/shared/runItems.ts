import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { failedItem } from './failedItem';

/**
 * Runs `runItem` for every input item with at most `concurrency` at a time and returns one
 * output item per input item, in input order, whatever order they finish in. Items that fail
 * become error items when the node continues on fail; otherwise no new item starts and the
 * error of the earliest failed item is thrown once the ones in flight have settled.
 */
export async function runItems(
	ctx: IExecuteFunctions,
	itemCount: number,
	concurrency: number,
	runItem: (itemIndex: number) => Promise<INodeExecutionData>,
): Promise<INodeExecutionData[]> {
	const output = new Array<INodeExecutionData>(itemCount);
	const continueOnFail = ctx.continueOnFail();
	let nextIndex = 0;
	const failures: Array<{ itemIndex: number; error: unknown }> = [];

	const worker = async () => {
		while (failures.length === 0 && nextIndex < itemCount) {
			const itemIndex = nextIndex++;
			try {
				output[itemIndex] = await runItem(itemIndex);
			} catch (error) {
				if (continueOnFail) output[itemIndex] = failedItem(error, itemIndex);
				else failures.push({ itemIndex, error });
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, itemCount)) }, worker));
	if (failures.length > 0) {
		throw failures.reduce((earliest, failure) => (failure.itemIndex < earliest.itemIndex ? failure : earliest)).error;
	}
	return output;
}
