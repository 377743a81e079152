// Queue mode: webhook() runs in the webhook process that got the request, execute() on a
// worker. Each process is a fresh copy of the node module with its own memory; n8n's
// de-duplication store (processed-data.ts) is the one thing they share, as its database is.
import type { IDataObject } from 'n8n-workflow';

import { call, freshProcess, runStep, signed, startedItems, started, type TriggerModule } from './trigger-calls';
import { ProcessedDataTable } from './processed-data';

/** The items the trigger's step passes to the next node. */
const downstream = (output: IDataObject[][] | unknown) => ((output as Array<Array<{ json: IDataObject }>>)[0] ?? []).map((item) => item.json);

describe('FlowellaTrigger in queue mode (executions on workers)', () => {
	it('runs an event delivered to two webhook processes once downstream, also when the copies race', async () => {
		const [webhookA, webhookB, webhookC, worker1, worker2] = Array.from({ length: 5 }, freshProcess);
		const processed = new ProcessedDataTable();
		const delivery = signed('message.received', { deliveryId: 'dlv_two_processes' });
		const [atA, atB] = [await call(webhookA, delivery), await call(webhookB, delivery)];
		// Each webhook process knows only its own requests: both start an execution.
		expect([started(atA), started(atB)].map((items) => items.length)).toEqual([1, 1]);
		const outputs = await Promise.all([
			runStep(worker1, {}, { items: startedItems(atA), processed }),
			runStep(worker2, {}, { items: startedItems(atB), processed }),
		]);
		expect(outputs.map((output) => downstream(output).length).sort()).toEqual([0, 1]);
		// A later copy on a third webhook process, its execution on either worker: nothing downstream.
		const later = await call(webhookC, { ...delivery, headers: { ...delivery.headers, 'x-flowella-delivery': 'dlv_replayed' } });
		expect(downstream(await runStep(worker1, {}, { items: startedItems(later), processed }))).toEqual([]);
	}, 30_000);

	it('passes the event on exactly as webhook() received it, without what it carried for the check', async () => {
		const [webhook, worker] = [freshProcess(), freshProcess()];
		const body = { event: 'message.received', data: { id: 'msg_exact', text: 'Hola' } };
		const outcome = await call(webhook, signed('message.received', { deliveryId: 'dlv_exact', body }));
		expect(downstream(await runStep(worker, {}, { items: startedItems(outcome), processed: new ProcessedDataTable() }))).toEqual([{ ...body, deliveryId: 'dlv_exact' }]);
	}, 30_000);

	it('leaves n8n\'s store alone when the execution runs in the process that took the webhook (regular mode), and for the test URL', async () => {
		const module: TriggerModule = freshProcess();
		const processed = new ProcessedDataTable();
		const body = { event: 'message.received', data: { id: 'msg_regular' } };
		const outcome = await call(module, signed('message.received', { deliveryId: 'dlv_regular', body }));
		expect(downstream(await runStep(module, {}, { items: startedItems(outcome), processed }))).toEqual([{ ...body, deliveryId: 'dlv_regular' }]);
		const test = await call(module, signed('message.received', { deliveryId: 'dlv_manual', body }), { mode: 'manual' });
		expect(downstream(await runStep(freshProcess(), {}, { items: startedItems(test), processed, mode: 'manual' }))).toEqual([{ ...body, deliveryId: 'dlv_manual' }]);
		expect(processed.calls).toBe(0);
	});

	it('runs the event, with a warning, when n8n\'s store cannot be used', async () => {
		const [webhook, worker] = [freshProcess(), freshProcess()];
		const warnings: string[] = [];
		const outcome = await call(webhook, signed('message.received', { deliveryId: 'dlv_no_store' }));
		expect(downstream(await runStep(worker, {}, { items: startedItems(outcome), warnings }))).toHaveLength(1);
		expect(warnings.join('\n')).toMatch(/could not be checked against other n8n processes/);
	}, 30_000);
});
