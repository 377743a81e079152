import { deliveryKey, MIRROR_INTERVAL_MS, parseMirror, SEEN_MAX_AGE_MS, SeenKeys, seenKeysFor } from '../../../nodes/FlowellaTrigger/dedup';

describe('SeenKeys', () => {
	it('claims a key once', () => {
		const seen = new SeenKeys();
		expect(seen.claim('a', 0)).toBe(true);
		expect(seen.claim('a', 1)).toBe(false);
		expect(seen.claim('b', 2)).toBe(true);
		expect(seen.size).toBe(2);
	});

	it('forgets the oldest keys beyond its size', () => {
		const seen = new SeenKeys(3, SEEN_MAX_AGE_MS);
		for (const [index, key] of ['a', 'b', 'c', 'd'].entries()) seen.claim(key, index);
		expect(seen.has('a', 4)).toBe(false);
		expect(seen.newest(10).map(([key]) => key)).toEqual(['b', 'c', 'd']);
	});

	it('forgets keys older than its age limit, and keeps one exactly at it', () => {
		const seen = new SeenKeys(100, 1000);
		seen.claim('old', 0);
		seen.claim('edge', 500);
		expect(seen.has('old', 1000)).toBe(true);
		expect(seen.has('old', 1001)).toBe(false);
		expect(seen.has('edge', 1500)).toBe(true);
		expect(seen.claim('old', 1600)).toBe(true);
	});

	it('merges mirrored entries by age, ignoring junk and expired ones', () => {
		const seen = new SeenKeys(100, 1000);
		seen.claim('mine', 300);
		seen.merge([['theirs-old', 100], ['theirs-new', 400], ['mine', 50], 'junk', [1, 2], ['expired', -2000]], 500);
		expect(seen.newest(10)).toEqual([['theirs-old', 100], ['mine', 300], ['theirs-new', 400]]);
		seen.merge(undefined, 500);
		seen.merge({ not: 'a list' }, 500);
		expect(seen.size).toBe(3);
	});

	it('mirrors the newest entries only', () => {
		const seen = new SeenKeys();
		for (let index = 0; index < 5; index += 1) seen.claim(`k${index}`, index);
		expect(seen.newest(2)).toEqual([['k3', 3], ['k4', 4]]);
	});

	it('mirrors from a run when the burst is over, else at most once per interval, and only after new claims', () => {
		const seen = new SeenKeys();
		expect(seen.runStarted(0)).toBe(false);
		seen.claim('a', 0);
		expect(seen.runStarted(0)).toBe(true); // the only one awaiting its run
		expect(JSON.parse(seen.mirror(0))).toEqual([['a', 0]]);
		for (const key of ['b', 'c', 'd']) seen.claim(key, 10);
		expect(seen.runStarted(MIRROR_INTERVAL_MS - 1)).toBe(false); // c and d still await theirs
		expect(seen.runStarted(MIRROR_INTERVAL_MS)).toBe(true); // a second since the last mirror
		seen.mirror(MIRROR_INTERVAL_MS);
		expect(seen.runStarted(MIRROR_INTERVAL_MS + 1)).toBe(false); // nothing new since
		seen.claim('b', MIRROR_INTERVAL_MS * 5); // a duplicate is no new claim
		expect(seen.runStarted(MIRROR_INTERVAL_MS * 5)).toBe(false);
	});

	it('adopts a mirror once: the same one again merges nothing, its own mirror is already known', () => {
		const seen = new SeenKeys();
		const mirror = JSON.stringify([['x', 1], ['y', 2]]);
		seen.adopt(mirror, 3);
		expect(seen.newest(10)).toEqual([['x', 1], ['y', 2]]);
		const merge = jest.spyOn(seen, 'merge');
		seen.adopt(`${mirror}`, 4);
		seen.claim('z', 5);
		seen.adopt(seen.mirror(5), 6);
		expect(merge).not.toHaveBeenCalled();
		seen.adopt(JSON.stringify([['w', 4]]), 7);
		expect(merge).toHaveBeenCalledTimes(1);
		expect(seen.newest(10).map(([key]) => key)).toEqual(['x', 'y', 'w', 'z']);
	});

	it('reads both mirror formats and ignores a broken one', () => {
		expect(parseMirror('[["a",1]]')).toEqual([['a', 1]]);
		expect(parseMirror([['a', 1]])).toEqual([['a', 1]]);
		expect(parseMirror('not json')).toBeUndefined();
		const seen = new SeenKeys();
		seen.adopt('not json', 0);
		expect(seen.size).toBe(0);
	});

	it('gives each scope its own store for the life of the process', () => {
		expect(seenKeysFor('wf/a/production')).toBe(seenKeysFor('wf/a/production'));
		expect(seenKeysFor('wf/a/production')).not.toBe(seenKeysFor('wf/a/test'));
	});
});

describe('deliveryKey', () => {
	it('uses X-Flowella-Delivery when present', () => {
		expect(deliveryKey('dlv_1', 'message.read', { data: { id: 'msg_1' } })).toBe('delivery:dlv_1');
	});

	it('falls back to event type + data.id, so one message\'s status events stay apart', () => {
		expect(deliveryKey(undefined, 'message.sent', { data: { id: 'msg_1' } })).toBe('event:message.sent:msg_1');
		expect(deliveryKey(undefined, 'message.read', { data: { id: 'msg_1' } })).not.toBe(deliveryKey(undefined, 'message.sent', { data: { id: 'msg_1' } }));
		expect(deliveryKey(undefined, 'optout.created', { data: { id: 42 } })).toBe('event:optout.created:42');
	});

	it.each([[{}], [{ data: null }], [{ data: [] }], [{ data: { id: '' } }], [{ data: { id: { nested: 1 } } }]])('has none for %j', (body) => {
		expect(deliveryKey(undefined, 'message.sent', body as Record<string, unknown>)).toBeUndefined();
	});
});
