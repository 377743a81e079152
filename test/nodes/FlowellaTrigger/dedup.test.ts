import { deliveryKeys, MIRROR_INTERVAL_MS, parseMirror, SEEN_MAX_AGE_MS, SeenKeys } from '../../../nodes/FlowellaTrigger/dedup';

/** A key of the shape the store keeps (a kind letter, 22 base64url characters), named for reading. */
const key = (name: string) => `b${name.padEnd(22, '_')}`;

describe('SeenKeys', () => {
	it('claims a key once', () => {
		const seen = new SeenKeys();
		expect(seen.claim([], 0)).toBe(false);
		expect(seen.claim(['a'], 0)).toBe(true);
		expect(seen.claim(['a'], 1)).toBe(false);
		expect(seen.claim(['b'], 2)).toBe(true);
		expect(seen.size).toBe(2);
	});

	it('claims a delivery\'s keys together: one seen key is a duplicate, and a duplicate records nothing', () => {
		const seen = new SeenKeys();
		expect(seen.claim(['body1', 'event1', 'dlv1'], 0)).toBe(true);
		expect(seen.claim(['body1', 'dlv2'], 1)).toBe(false);
		expect(seen.has('dlv2', 1)).toBe(false);
		expect(seen.claim(['body2', 'event1', 'dlv3'], 2)).toBe(false);
		expect(seen.claim(['body2', 'event2', 'dlv3'], 3)).toBe(true);
		expect(seen.size).toBe(6);
	});

	it('forgets the oldest keys beyond its size', () => {
		const seen = new SeenKeys(3, SEEN_MAX_AGE_MS);
		for (const [index, key] of ['a', 'b', 'c', 'd'].entries()) seen.claim([key], index);
		expect(seen.has('a', 4)).toBe(false);
		expect(seen.newest(10).map(([key]) => key)).toEqual(['b', 'c', 'd']);
	});

	it('forgets keys older than its age limit, and keeps one exactly at it', () => {
		const seen = new SeenKeys(100, 1000);
		seen.claim(['old'], 0);
		seen.claim(['edge'], 500);
		expect(seen.has('old', 1000)).toBe(true);
		expect(seen.has('old', 1001)).toBe(false);
		expect(seen.has('edge', 1500)).toBe(true);
		expect(seen.claim(['old'], 1600)).toBe(true);
	});

	it('merges mirrored entries by age, ignoring junk, expired ones and keys of another shape', () => {
		const seen = new SeenKeys(100, 1000);
		seen.claim([key('mine')], 300);
		seen.merge([[key('theirs-old'), 100], [key('theirs-new'), 400], [key('mine'), 50], 'junk', [1, 2], [key('expired'), -2000], ['x'.repeat(8192), 450]], 500);
		expect(seen.newest(10)).toEqual([[key('theirs-old'), 100], [key('mine'), 300], [key('theirs-new'), 400]]);
		seen.merge(undefined, 500);
		seen.merge({ not: 'a list' }, 500);
		expect(seen.size).toBe(3);
	});

	it('mirrors the newest entries only', () => {
		const seen = new SeenKeys();
		for (let index = 0; index < 5; index += 1) seen.claim([`k${index}`], index);
		expect(seen.newest(2)).toEqual([['k3', 3], ['k4', 4]]);
	});

	it('mirrors from a run when the burst is over, else at most once per interval, and only after new claims', () => {
		const seen = new SeenKeys();
		expect(seen.runStarted(0)).toBe(false);
		seen.claim(['a'], 0);
		expect(seen.runStarted(0)).toBe(true); // the only one awaiting its run
		expect(JSON.parse(seen.mirror(0))).toEqual([['a', 0]]);
		for (const key of ['b', 'c', 'd']) seen.claim([key], 10);
		expect(seen.runStarted(MIRROR_INTERVAL_MS - 1)).toBe(false); // c and d still await theirs
		expect(seen.runStarted(MIRROR_INTERVAL_MS)).toBe(true); // a second since the last mirror
		seen.mirror(MIRROR_INTERVAL_MS);
		expect(seen.runStarted(MIRROR_INTERVAL_MS + 1)).toBe(false); // nothing new since
		seen.claim(['b'], MIRROR_INTERVAL_MS * 5); // a duplicate is no new claim
		expect(seen.runStarted(MIRROR_INTERVAL_MS * 5)).toBe(false);
	});

	it('adopts a mirror once: the same one again merges nothing, its own mirror is already known', () => {
		const seen = new SeenKeys();
		const mirror = JSON.stringify([[key('x'), 1], [key('y'), 2]]);
		seen.adopt(mirror, 3);
		expect(seen.newest(10)).toEqual([[key('x'), 1], [key('y'), 2]]);
		const merge = jest.spyOn(seen, 'merge');
		seen.adopt(`${mirror}`, 4);
		seen.claim([key('z')], 5);
		seen.adopt(seen.mirror(5), 6);
		expect(merge).not.toHaveBeenCalled();
		seen.adopt(JSON.stringify([[key('w'), 4]]), 7);
		expect(merge).toHaveBeenCalledTimes(1);
		expect(seen.newest(10).map(([entry]) => entry)).toEqual([key('x'), key('y'), key('w'), key('z')]);
	});

	it('reads both mirror formats and ignores a broken one', () => {
		expect(parseMirror('[["a",1]]')).toEqual([['a', 1]]);
		expect(parseMirror([['a', 1]])).toEqual([['a', 1]]);
		expect(parseMirror('not json')).toBeUndefined();
		const seen = new SeenKeys();
		seen.adopt('not json', 0);
		expect(seen.size).toBe(0);
	});
});

describe('deliveryKeys', () => {
	const raw = Buffer.from('{"event":"message.read","data":{"id":"msg_1"}}');
	const body = { event: 'message.read', data: { id: 'msg_1' } };
	const shape = /^[bed][A-Za-z0-9_-]{22}$/;

	it('keys the signed body, the event (type + data.id) and the delivery id, each a fixed-size digest', () => {
		const keys = deliveryKeys(raw, 'dlv_1', 'message.read', body);
		expect(keys).toHaveLength(3);
		for (const key of keys) expect(key).toMatch(shape);
		expect(new Set(keys).size).toBe(3);
		for (const key of deliveryKeys(raw, 'd'.repeat(8192), 'message.read', body)) expect(key).toMatch(shape);
	});

	it('gives the same body the same body key whatever the headers, and another body another', () => {
		const [bodyKey] = deliveryKeys(raw, 'dlv_1', 'message.read', body);
		expect(deliveryKeys(raw, undefined, 'message.read', body)[0]).toBe(bodyKey);
		expect(deliveryKeys(raw, 'dlv_2', 'message.sent', body)[0]).toBe(bodyKey);
		expect(deliveryKeys(Buffer.from(`${raw.toString()} `), 'dlv_1', 'message.read', body)[0]).not.toBe(bodyKey);
	});

	it('keeps one message\'s status events apart, and numbers and strings of an id alike', () => {
		const event = (type: string, data: unknown) => deliveryKeys(raw, undefined, type, { data })[1];
		expect(event('message.sent', { id: 'msg_1' })).not.toBe(event('message.read', { id: 'msg_1' }));
		expect(event('optout.created', { id: 42 })).toBe(event('optout.created', { id: '42' }));
	});

	it.each([[{}], [{ data: null }], [{ data: [] }], [{ data: { id: '' } }], [{ data: { id: { nested: 1 } } }]])('has no event key for %j', (bodyWithout) => {
		expect(deliveryKeys(raw, undefined, 'message.sent', bodyWithout as Record<string, unknown>)).toHaveLength(1);
	});

	it('has no event key for webhook.test: each "Send test" press is its own event', () => {
		expect(deliveryKeys(raw, undefined, 'webhook.test', { data: { id: 'test' } })).toHaveLength(1);
	});

	it('reads an earlier version\'s mirror (readable keys) as the same keys', () => {
		const seen = new SeenKeys();
		seen.adopt(JSON.stringify([['delivery:dlv_1', 10], ['event:message.read:msg_1', 10], ['other:junk', 10], ['bToolong_0123456789abcdefghij', 10]]), 20);
		expect(seen.size).toBe(2);
		const [, eventKey, deliveryKey] = deliveryKeys(raw, 'dlv_1', 'message.read', body);
		expect(seen.has(eventKey, 20)).toBe(true);
		expect(seen.has(deliveryKey, 20)).toBe(true);
	});
});
