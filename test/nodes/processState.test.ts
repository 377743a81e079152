// Every store kept beyond one execution (nodes/processState.ts) stays within its bound.
import type { IExecuteFunctions } from 'n8n-workflow';

import { Cancellation } from '../../nodes/Flowella/transport/cancel';
import { IDLE_EXPIRY_MS, RerunMemos } from '../../nodes/Flowella/transport/rerunMemo';
import { SeenKeys } from '../../nodes/FlowellaTrigger/dedup';
import { MAX_TRIGGER_SCOPES, pacers, seenDeliveries, sharedClaims, StoresByScope } from '../../nodes/processState';

/** Just what the re-run memo reads of n8n's context: a node with Retry On Fail, one run of it. */
function runOf(executionId: string): IExecuteFunctions {
	return {
		getNode: () => ({ id: 'n1', name: 'Flowella', retryOnFail: true, maxTries: 3 }),
		isToolExecution: () => false,
		getInputData: () => [{ json: {} }],
		getExecutionId: () => executionId,
		getWorkflowDataProxy: () => ({ $runIndex: 0 }),
	} as unknown as IExecuteFunctions;
}

describe('process-wide stores', () => {
	it('StoresByScope keeps at most its bound, dropping the store used longest ago', () => {
		const stores = new StoresByScope(3, () => ({}));
		const a = stores.get('a');
		stores.get('b');
		stores.get('c');
		expect(stores.get('a')).toBe(a);
		stores.get('d');
		expect(stores.size).toBe(3);
		expect(stores.get('a')).toBe(a);
		// 'b' was used longest ago: it was dropped, and comes back empty.
		expect(stores.size).toBe(3);
	});

	it(`the trigger keeps one store per node and URL, for at most ${MAX_TRIGGER_SCOPES} nodes`, () => {
		expect(seenDeliveries.get('wf/a/production')).toBe(seenDeliveries.get('wf/a/production'));
		expect(seenDeliveries.get('wf/a/production')).not.toBe(seenDeliveries.get('wf/a/test'));
		for (let node = 0; node < MAX_TRIGGER_SCOPES + 20; node++) {
			seenDeliveries.get(`wf/${node}/production`);
			sharedClaims.get(`wf/${node}/production`);
		}
		expect(seenDeliveries.size).toBe(MAX_TRIGGER_SCOPES);
		expect(sharedClaims.size).toBe(MAX_TRIGGER_SCOPES);
	});

	it("a trigger node's seen keys stay within their count", () => {
		const seen = new SeenKeys(6);
		for (let delivery = 0; delivery < 10; delivery++) seen.claim([`b${delivery}`, `d${delivery}`], 1_000 + delivery);
		expect(seen.size).toBe(6);
		expect(seen.claim(['b0'], 2_000)).toBe(true);
		expect(seen.claim(['b9'], 2_000)).toBe(false);
	});

	it('a pacer is freed with the last execution on its account', () => {
		const first = pacers.open('https://app.flowella.io', 'flo_state_a', 5);
		const second = pacers.open('https://app.flowella.io', 'flo_state_a', 5);
		expect(first.shared).toBe(second.shared);
		first.close();
		second.close();
		expect(pacers.size).toBe(0);
	});

	it(`a re-run memo n8n never came back for is freed ${IDLE_EXPIRY_MS / 60_000} minutes after its last try`, () => {
		let now = 0;
		const memos = new RerunMemos({ now: () => now, sleep: async () => {} });
		const first = memos.open(runOf('e1'), new Cancellation());
		first?.remember([0], { id: 'ct_1' });
		first?.close(undefined);
		expect(memos.size).toBe(1);
		now += IDLE_EXPIRY_MS + 1;
		memos.open(runOf('e2'), new Cancellation())?.close([{ json: { id: 'ct_2' } }]);
		expect(memos.size).toBe(0);
	});
});
