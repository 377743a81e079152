// What an item the node stopped before finishing says: why it stopped, and whether anything went out.
import type { INode } from 'n8n-workflow';

import { mayHaveBeenSent } from '../../../../nodes/Flowella/transport/errors';
import { failedItemOf, ItemStoppedError, stopBecauseItemFailed, stoppedItemText } from '../../../../nodes/Flowella/transport/cancel';

const node = { id: '1', name: 'Flowella', type: 'flowella', typeVersion: 1, position: [0, 0], parameters: {} } as INode;

describe('an item the node stopped before finishing', () => {
	it('names the item whose failure stopped the node, not a Stop nobody pressed', () => {
		const controller = new AbortController();
		stopBecauseItemFailed(controller, 7);
		stopBecauseItemFailed(controller, 9);
		expect(failedItemOf(controller.signal)).toBe(7);
		expect(stoppedItemText(3, false, false, 'message', 7).message).toBe('The node stopped because item 7 failed before item 3 was sent to Flowella [item 3]');
		expect(stoppedItemText(3, false).message).toBe('The execution was stopped before item 3 was sent to Flowella [item 3]');
	});

	it('Stop or a timeout (any other abort) is said as such', () => {
		const controller = new AbortController();
		controller.abort();
		expect(failedItemOf(controller.signal)).toBeUndefined();
		expect(failedItemOf(undefined)).toBeUndefined();
	});

	it('is "may have been sent" only when a request for it may have reached Flowella and is not safe to repeat', () => {
		expect(mayHaveBeenSent(new ItemStoppedError(node, 1, false, false, 'message', 0))).toBe(false);
		expect(mayHaveBeenSent(new ItemStoppedError(node, 1, true, true, undefined, 0))).toBe(false);
		const maybe = new ItemStoppedError(node, 1, true, false, 'message', 0);
		expect(mayHaveBeenSent(maybe)).toBe(true);
		expect(maybe.message).toBe('The node stopped because item 0 failed while item 1 was being sent to Flowella [item 1]');
		expect(maybe.description).toBe('The message may have been sent: check in Flowella before sending it again.');
	});
});
