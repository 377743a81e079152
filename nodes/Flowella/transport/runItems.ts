import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Cancellation } from './cancel';
import { failedItemOf, ItemStoppedError, stoppedItemText } from './cancel';
import { failedItem } from './itemErrors';

/**
 * Runs `runItem` for every input item with at most `concurrency` at a time and returns the
 * output items of each (one for most operations, many for Get Many, or an error item) in input
 * order, whatever order they finish in. Items that fail
 * become error items when the node continues on fail. Otherwise the first failure stops the
 * node: no new item or attempt starts, pending waits end, and once the items in flight have
 * settled the error of the earliest item that really failed is thrown. Stop and a workflow
 * timeout stop every item that has not finished the same way.
 */
export async function runItems(
	ctx: IExecuteFunctions,
	{ concurrency, cancellation }: { concurrency: number; cancellation: Cancellation },
	itemCount: number,
	runItem: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const output = new Array<INodeExecutionData[]>(itemCount);
	const continueOnFail = ctx.continueOnFail();
	const stop = cancellation.signal;
	let nextIndex = 0;
	const failures: Array<{ itemIndex: number; error: unknown }> = [];

	const worker = async () => {
		while (failures.length === 0 && nextIndex < itemCount) {
			const itemIndex = nextIndex++;
			if (stop.aborted) {
				// Plain texts, not an error object each: after Stop, thousands of items may be left.
				const failed = failedItemOf(stop);
				if (continueOnFail) output[itemIndex] = [failedItem(stoppedItemText(itemIndex, false, true, undefined, failed), itemIndex)];
				else failures.push({ itemIndex, error: new ItemStoppedError(ctx.getNode(), itemIndex, false, true, undefined, failed) });
				continue;
			}
			try {
				output[itemIndex] = await runItem(itemIndex);
			} catch (error) {
				if (continueOnFail) {
					output[itemIndex] = [failedItem(error, itemIndex)];
				} else {
					failures.push({ itemIndex, error });
					cancellation.stopBecauseItemFailed(itemIndex);
				}
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, itemCount)) }, worker));
	if (failures.length > 0) {
		// Items cut short by the stop are not why the node failed: the failure that stopped it is.
		const real = failures.filter((failure) => !(failure.error instanceof ItemStoppedError));
		const shown = real.length > 0 ? real : failures;
		throw shown.reduce((earliest, failure) => (failure.itemIndex < earliest.itemIndex ? failure : earliest)).error;
	}
	return output.flat();
}
