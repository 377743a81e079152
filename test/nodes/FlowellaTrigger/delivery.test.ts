/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
import { checkDelivery, eventItem } from '../../../nodes/FlowellaTrigger/delivery';
import { buildDelivery, signBody } from '../../../emulator/webhooks';

const SECRET = 'whsec_delivery_test_0123456789';
const NOW = 1_767_225_600_000;

function request(raw: string, headers: Record<string, string | undefined> = {}) {
	const base = buildDelivery({ secret: SECRET, type: 'message.received', raw, deliveryId: 'dlv_1', nowMs: NOW });
	return { raw: Buffer.from(raw, 'utf8'), headers: { ...base.headers, ...headers } };
}

describe('checkDelivery', () => {
	it('accepts a signed JSON object and reads type and delivery id', () => {
		const { raw, headers } = request('{"event":"message.received","data":{"id":"m1"}}');
		expect(checkDelivery(raw, headers, SECRET, NOW)).toEqual({
			ok: true,
			raw,
			body: { event: 'message.received', data: { id: 'm1' } },
			eventType: 'message.received',
			deliveryId: 'dlv_1',
			timestamp: 'ok',
		});
	});

	it('takes the signed body\'s event type over the unsigned header', () => {
		const { raw, headers } = request('{"event":"message.received","data":{"id":"m1"}}', { 'x-flowella-event': 'webhook.test' });
		expect(checkDelivery(raw, headers, SECRET, NOW)).toMatchObject({ ok: true, eventType: 'message.received' });
		const typed = request('{"type":"optout.created","data":{"id":"o1"}}', { 'x-flowella-event': 'webhook.test' });
		expect(checkDelivery(typed.raw, typed.headers, SECRET, NOW)).toMatchObject({ ok: true, eventType: 'optout.created' });
	});

	it('checks the signature before anything else: an unsigned non-JSON body is a 401', () => {
		const raw = Buffer.from('hello');
		expect(checkDelivery(raw, { 'content-type': 'text/plain' }, SECRET, NOW)).toMatchObject({ ok: false, status: 401 });
	});

	it('verifies an empty or missing raw body as zero bytes', () => {
		const headers = { 'x-flowella-signature': signBody(SECRET, ''), 'content-type': 'application/json' };
		expect(checkDelivery(undefined, headers, SECRET, NOW)).toMatchObject({ ok: false, status: 400 });
	});

	it('refuses when the node has no secret, even for a body signed with an empty key', () => {
		const raw = Buffer.from('{}');
		expect(checkDelivery(raw, { 'x-flowella-signature': signBody('', raw) }, '', NOW)).toMatchObject({ ok: false, status: 401 });
	});

	it.each(['[1,2]', '"text"', 'null', '42'])('refuses the signed JSON %s: not an object', (raw) => {
		const built = request(raw);
		expect(checkDelivery(built.raw, built.headers, SECRET, NOW)).toMatchObject({ ok: false, status: 400 });
	});

	it('accepts a charset parameter and a byte order mark', () => {
		const built = request('\uFEFF{"event":"message.read","data":{"id":"m"}}', { 'content-type': 'application/json; charset=utf-8' });
		expect(checkDelivery(built.raw, built.headers, SECRET, NOW)).toMatchObject({ ok: true, eventType: 'message.read' });
	});

	it('marks signature failures only: the node reads the stored secret again for those, never for a stale one', () => {
		const { raw, headers } = request('{"event":"message.received"}');
		expect(checkDelivery(raw, headers, 'whsec_another_secret_0123456789', NOW)).toMatchObject({ ok: false, status: 401, signature: true });
		expect(checkDelivery(raw, { ...headers, 'x-flowella-signature': undefined }, SECRET, NOW)).toMatchObject({ ok: false, signature: true });
		const stale = checkDelivery(raw, headers, SECRET, NOW + 301_000);
		expect(stale).toMatchObject({ ok: false, status: 401 });
		expect(stale).not.toHaveProperty('signature');
	});

	it.each(['text/plain', 'application/jsonp', 'application/x-www-form-urlencoded', undefined])('answers 415 to Content-Type %s', (contentType) => {
		const built = request('{"event":"message.read"}', { 'content-type': contentType });
		expect(checkDelivery(built.raw, built.headers, SECRET, NOW)).toMatchObject({ ok: false, status: 415 });
	});
});

describe('checkDelivery: unsigned headers', () => {
	const raw = '{"event":"message.received","data":{"id":"m1"}}';
	it.each(['x-flowella-delivery', 'x-flowella-event'])('refuses %s over 256 characters with 400, and only once the signature matched', (name) => {
		const long = request(raw, { [name]: 'a'.repeat(257) });
		expect(checkDelivery(long.raw, long.headers, SECRET, NOW)).toMatchObject({ ok: false, status: 400, reason: expect.stringMatching(/longer than 256/) });
		expect(checkDelivery(long.raw, { ...long.headers, 'x-flowella-signature': signBody('another_secret_0123456789', raw) }, SECRET, NOW)).toMatchObject({ status: 401 });
		const edge = request(raw, { [name]: 'a'.repeat(256) });
		expect(checkDelivery(edge.raw, edge.headers, SECRET, NOW)).toMatchObject({ ok: true });
	});
});

describe('eventItem', () => {
	it('adds nothing the body already has', () => {
		const body = { event: 'message.read', deliveryId: 'from-body', data: { id: 'm' } };
		expect(eventItem({ ok: true, raw: Buffer.from(JSON.stringify(body)), body, eventType: 'message.read', deliveryId: 'dlv_h', timestamp: 'ok' })).toEqual(body);
	});

	it('keeps a body\'s own "type" field and adds no "event" beside it', () => {
		const body = { type: 'optout.created', data: { id: 'o' } };
		expect(eventItem({ ok: true, raw: Buffer.from(JSON.stringify(body)), body, eventType: 'optout.created', timestamp: 'missing' })).toEqual(body);
	});
});
