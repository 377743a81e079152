/* eslint-disable @n8n/community-nodes/no-restricted-globals -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// Discrete-event time for the pacer's deterministic tests: sleeps are timers in a heap, and
// time jumps to the next timer only once every pending promise callback has run.
import type { Clock } from '../../nodes/Flowella/transport/clock';

interface Timer {
	at: number;
	order: number;
	fire: () => void;
	cancelled: boolean;
}

/** setImmediate runs after the microtask queue is empty: nothing is left that could start a request. */
const microtasksDrained = async () => await new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualClock implements Clock {
	private time: number;

	private scheduled = 0;

	private readonly heap: Timer[] = [];

	/**
	 * `timerSlack` returns how late (ms) each sleep fires, as real timers do: Node's fire a
	 * millisecond or more after they are due, more when the event loop is busy.
	 */
	constructor(
		start = 0,
		private readonly timerSlack: () => number = () => 0,
	) {
		this.time = start;
	}

	now(): number {
		return this.time;
	}

	async sleep(ms: number, signal?: AbortSignal): Promise<void> {
		if (ms <= 0 || signal?.aborted) return;
		await new Promise<void>((resolve) => {
			const onAbort = () => {
				timer.cancelled = true;
				resolve();
			};
			const timer = this.at(this.time + ms + this.timerSlack(), () => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			});
			signal?.addEventListener('abort', onAbort, { once: true });
		});
	}

	/** Calls `fire` when virtual time reaches `at` (timers due at the same time fire in the order set). */
	at(at: number, fire: () => void): Timer {
		const timer = { at: Math.max(at, this.time), order: this.scheduled++, fire, cancelled: false };
		this.heap.push(timer);
		this.siftUp(this.heap.length - 1);
		return timer;
	}

	/** Runs `work` to the end, moving time forward whenever nothing else can happen now. */
	async run<T>(work: Promise<T>): Promise<T> {
		let settled = false;
		work.then(
			() => (settled = true),
			() => (settled = true),
		);
		for (;;) {
			await microtasksDrained();
			if (settled) return await work;
			const next = this.pop();
			if (!next) throw new Error('virtual time deadlock: the work waits on something no timer will bring');
			this.time = next.at;
			next.fire();
		}
	}

	private pop(): Timer | undefined {
		while (this.heap.length > 0) {
			const top = this.heap[0];
			const last = this.heap.pop() as Timer;
			if (this.heap.length > 0) {
				this.heap[0] = last;
				this.siftDown(0);
			}
			if (!top.cancelled) return top;
		}
		return undefined;
	}

	private before(a: Timer, b: Timer): boolean {
		return a.at < b.at || (a.at === b.at && a.order < b.order);
	}

	private siftUp(index: number): void {
		const heap = this.heap;
		while (index > 0) {
			const parent = (index - 1) >> 1;
			if (!this.before(heap[index], heap[parent])) return;
			[heap[index], heap[parent]] = [heap[parent], heap[index]];
			index = parent;
		}
	}

	private siftDown(index: number): void {
		const heap = this.heap;
		for (;;) {
			const left = 2 * index + 1;
			const right = left + 1;
			let smallest = index;
			if (left < heap.length && this.before(heap[left], heap[smallest])) smallest = left;
			if (right < heap.length && this.before(heap[right], heap[smallest])) smallest = right;
			if (smallest === index) return;
			[heap[index], heap[smallest]] = [heap[smallest], heap[index]];
			index = smallest;
		}
	}
}
