/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// Message → Send Text through n8n's engine against the emulator: what is sent, what comes back,
// and that a message is never sent twice, whatever fails.
import { Flowella } from '../../../../../nodes/Flowella/Flowella.node';
import { emulatorForTests } from '../../../../support/emulator';
import { runFlowellaWorkflow } from '../../../../support/harness';
import type { NodeSettings } from '../../../../support/harness';

const KEY = 'flo_test_send_text_01';
const emulator = emulatorForTests([KEY]);
const PATH = '/api/v1/messages';

const textParameters = {
	resource: 'message',
	operation: 'sendText',
	to: '={{ $json.phone }}',
	text: '={{ $json.text }}',
	options: {},
};

function sendText(rows: object[], settings: NodeSettings = { onError: 'continueRegularOutput' }, parameters: object = {}) {
	return runFlowellaWorkflow({
		rows: rows as never,
		credentials: { apiKey: KEY, baseUrl: emulator.url },
		parameters: { ...textParameters, ...parameters },
		settings,
	});
}

const sentBodies = () => emulator.requestsTo('POST', PATH).map((request) => request.body);
const handledMessages = () => emulator.handled.filter((entry: { kind: string }) => entry.kind === 'message');

describe('Message → Send Text', () => {
	it('sends one message per item, cleaned-up phone and exact text, and outputs Flowella\'s answer in input order', async () => {
		const rows = [
			{ phone: '+34 612 34 56 78', text: 'Hola Ada' },
			{ phone: '0044 (0)20 7946 0958', text: '  spaced text kept as written  ' },
		];
		const result = await sendText(rows);
		const [items] = result.outputs;
		expect(sentBodies()).toEqual([
			{ to: '+34612345678', text: 'Hola Ada' },
			{ to: '+442079460958', text: '  spaced text kept as written  ' },
		]);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		for (const item of items) {
			expect(Object.keys(item.json).sort()).toEqual(['contactId', 'conversationId', 'id', 'metaMessageId']);
			expect(item.json.id).toMatch(/^msg_/);
		}
		expect(emulator.messagesTo('+34612345678')).toHaveLength(1);
	});

	it('sends from the channel given under Options, and applies the Default Country Code', async () => {
		await sendText([{ phone: '612345678', text: 'hi' }], undefined, {
			options: { whatsappChannelId: ' ch_emulator_second ', defaultCountryCode: '34' },
		});
		expect(sentBodies()).toEqual([{ to: '+34612345678', text: 'hi', whatsappChannelId: 'ch_emulator_second' }]);
	});

	it.each([
		[{ phone: 'call me', text: 'hi' }, /^Invalid To "call me" \[item 0\]/],
		[{ phone: '+34612345678', text: '   ' }, /^Invalid Text " {3}" \[item 0\]: it is empty/],
		[{ phone: '+34612345678', text: 'x'.repeat(4097) }, /^Invalid Text "x+… \[item 0\]: it is 4097 characters long; Flowella accepts at most 4096/],
	])('refuses bad input %#, naming the field and the item, and sends nothing', async (row, message) => {
		const result = await sendText([row]);
		expect(result.outputs[0][0].json.error).toMatch(message);
		expect(sentBodies()).toHaveLength(0);
	});

	it('with Stop Workflow, the error says how many messages went out before it, as running again would resend them', async () => {
		emulator.optOuts.set('ch_emulator_default +34612000003', { id: 'oo_1', phone: '+34612000003', whatsappChannelId: 'ch_emulator_default' });
		const rows = ['+34612000001', '+34612000002', '+34612000003', '+34612000004'].map((phone) => ({ phone, text: 'hi' }));
		const result = await sendText(rows, {}, { options: { concurrency: 1 } });
		expect(result.error?.message).toMatch(/403 CONTACT_OPTED_OUT.*\[item 2\]$/);
		expect(result.error?.description).toMatch(/Before the node stopped, 2 other messages were sent; running the workflow again sends them again/);
		expect(handledMessages()).toHaveLength(2);
	});

	it('a text of exactly 4,096 characters is sent', async () => {
		await sendText([{ phone: '+34612345678', text: 'y'.repeat(4096) }]);
		expect(handledMessages()).toHaveLength(1);
	});

	it('an opted-out contact: a per-item error that says so, the other items are sent', async () => {
		emulator.optOuts.set('ch_emulator_default +34612000002', { id: 'oo_1', phone: '+34612000002', whatsappChannelId: 'ch_emulator_default' });
		const result = await sendText([
			{ phone: '+34612000001', text: 'a' },
			{ phone: '+34612000002', text: 'b' },
			{ phone: '+34612000003', text: 'c' },
		]);
		const [items] = result.outputs;
		expect(items[1].json.error).toMatch(/^Flowella answered 403 CONTACT_OPTED_OUT.*\[item 1\]$/);
		expect(items[1].json.message).toMatch(/opted out of WhatsApp messages on this channel/);
		expect(items[0].json.id).toBeDefined();
		expect(items[2].json.id).toBeDefined();
	});

	it('Meta not connected (403) and a lapsed plan (402) say what to do', async () => {
		let result = await sendText([{ phone: '+34612000001', text: 'a' }], undefined, { options: { whatsappChannelId: 'ch_emulator_disconnected' } });
		expect(result.outputs[0][0].json.message).toMatch(/WhatsApp \(Meta\) is not connected for this channel/);
		emulator.configure({ billing: false });
		result = await sendText([{ phone: '+34612000001', text: 'a' }]);
		expect(result.outputs[0][0].json.error).toMatch(/^Flowella answered 402/);
		expect(result.outputs[0][0].json.message).toMatch(/subscription does not cover sending/);
	});

	it("outside WhatsApp's 24-hour window, the error says to use a template", async () => {
		emulator.configure({ freeFormWindowHours: 24 });
		emulator.seed({ inbound: [{ phone: '+34612000009' }] });
		const result = await sendText([
			{ phone: '+34612000001', text: 'no recent message from this contact' },
			{ phone: '+34612000009', text: 'wrote to us a moment ago' },
		]);
		const [items] = result.outputs;
		expect(items[0].json.error).toMatch(/^Flowella answered 400/);
		expect(items[0].json.message).toMatch(/only within 24 hours .*Template → Send to Many/);
		expect(items[1].json.id).toBeDefined();
	});

	it('an unknown channel (404) points at where the ID comes from', async () => {
		const result = await sendText([{ phone: '+34612000001', text: 'a' }], undefined, { options: { whatsappChannelId: 'ch_nope' } });
		expect(result.outputs[0][0].json.message).toMatch(/no WhatsApp channel or template with this ID/);
	});
});

describe('Message → Send Text is never sent twice', () => {
	const retry: NodeSettings = { retryOnFail: true, maxTries: 3, waitBetweenTries: 1 };

	it.each([
		['a 500 after Flowella stored it', { kind: 'status', status: 500, after: true }],
		['a connection reset after Flowella stored it', { kind: 'reset', after: true }],
		['an unreadable 2xx', { kind: 'malformed' }],
		['a 502 from a proxy', { kind: 'html' }],
	])('%s: not retried, the item says it may have been sent', async (_name, fault) => {
		emulator.configure({ faults: [{ ...fault, path: PATH, phone: '+34612000002' }] as never });
		const result = await sendText(
			[
				{ phone: '+34612000001', text: 'a' },
				{ phone: '+34612000002', text: 'b' },
			],
			{ ...retry, onError: 'continueRegularOutput' },
		);
		const [items] = result.outputs;
		expect(items[1].json.error).toMatch(/the message may have been sent, so it was not retried; check in Flowella before sending it again \[item 1\]/);
		expect(items[1].json.message).toMatch(/check in Flowella before sending it again/);
		// One request for it, ever: neither the node's retries nor n8n's re-runs of the node sent it again.
		expect(emulator.requestsTo('POST', PATH).filter((request) => (request.body as { to: string }).to === '+34612000002')).toHaveLength(1);
		expect(emulator.duplicates()).toEqual([]);
	});

	it.each([
		['a 429', { kind: 'status', status: 429, code: 'RATE_LIMITED', retryAfter: '0' }],
		['a refused connection', 'refused'],
	])('%s certainly did not reach Flowella: retried, sent exactly once', async (_name, fault) => {
		if (fault === 'refused') {
			// Nothing listens there: the first attempt cannot connect, so the node may try again, and fails clearly.
			const result = await runFlowellaWorkflow({
				rows: [{ phone: '+34612000001', text: 'a' }],
				credentials: { apiKey: KEY, baseUrl: 'http://127.0.0.1:1' },
				parameters: textParameters,
				settings: { ...retry, onError: 'continueRegularOutput' },
			});
			expect(result.attempts).toBeGreaterThan(1);
			expect(result.outputs[0][0].json.message).toMatch(/did not reach Flowella/);
			return;
		}
		emulator.configure({ faults: [{ ...(fault as object), path: PATH, times: 2 }] as never });
		const result = await sendText([{ phone: '+34612000001', text: 'a' }], { ...retry, onError: 'continueRegularOutput' });
		expect(result.outputs[0][0].json.id).toBeDefined();
		expect(handledMessages()).toHaveLength(1);
	});

	it("n8n's re-run (Retry On Fail, Stop Workflow) sends only the items that did not reach Flowella", async () => {
		// Item 1 gets a 500 after being stored (may have been sent), which stops the node: n8n re-runs
		// it twice more; items 0 and 1 must not go out again.
		const nodeRuns = jest.spyOn(Flowella.prototype, 'execute');
		emulator.configure({ faults: [{ kind: 'status', status: 500, after: true, path: PATH, phone: '+34612000002' }] as never });
		const result = await runFlowellaWorkflow({
			rows: [
				{ phone: '+34612000001', text: 'a' },
				{ phone: '+34612000002', text: 'b' },
				{ phone: '+34612000003', text: 'c' },
			],
			credentials: { apiKey: KEY, baseUrl: emulator.url },
			parameters: { ...textParameters, options: { concurrency: 1 } },
			settings: retry,
		});
		expect(result.error?.message).toMatch(/the message may have been sent/);
		const sentTo = emulator.requestsTo('POST', PATH).map((request) => (request.body as { to: string }).to);
		expect(sentTo.filter((to) => to === '+34612000001')).toHaveLength(1);
		expect(sentTo.filter((to) => to === '+34612000002')).toHaveLength(1);
		expect(emulator.duplicates()).toEqual([]);
		expect(nodeRuns).toHaveBeenCalledTimes(3);
		nodeRuns.mockRestore();
	});

	it("n8n's re-run sends no item again when its text uses $now: an item's outcome belongs to the item, not to its body", async () => {
		// Item 0's phone is refused, so its error item makes n8n re-run the node twice; the text of
		// items 1 and 2 evaluates to something new on every try.
		const nodeRuns = jest.spyOn(Flowella.prototype, 'execute');
		const result = await sendText(
			[
				{ phone: 'not a phone', name: 'Ada' },
				{ phone: '+34612000002', name: 'Bea' },
				{ phone: '+34612000003', name: 'Cai' },
			],
			{ ...retry, onError: 'continueRegularOutput' },
			{ text: '=Hi {{ $json.name }}, today {{ $now.toFormat("HH:mm:ss.SSS") }} {{ Math.random() }}' },
		);
		expect(nodeRuns).toHaveBeenCalledTimes(3);
		nodeRuns.mockRestore();
		expect(handledMessages()).toHaveLength(2);
		expect(emulator.requestsTo('POST', PATH)).toHaveLength(2);
		const [items] = result.outputs;
		expect(items.map((item) => (item.json.error === undefined ? 'sent' : 'error'))).toEqual(['error', 'sent', 'sent']);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it("n8n's re-run gives the same 'may have been sent' error when the text changed between tries, and sends nothing", async () => {
		emulator.configure({ faults: [{ kind: 'status', status: 500, after: true, path: PATH, phone: '+34612000001' }] as never });
		const result = await sendText(
			[{ phone: '+34612000001', name: 'Ada' }],
			{ ...retry, onError: 'continueRegularOutput' },
			{ text: '=Hi {{ $json.name }} {{ Date.now() }} {{ Math.random() }}' },
		);
		expect(result.outputs[0][0].json.error).toMatch(/the message may have been sent, so it was not retried/);
		expect(emulator.requestsTo('POST', PATH)).toHaveLength(1);
		expect(handledMessages()).toHaveLength(1);
	});

	it("an item Flowella refused with a 429 when another item stopped the node was not sent: n8n's re-run sends it, once", async () => {
		// Item 0 is refused once (400), which stops the node while item 1 waits after a 429. Item 1
		// never reached Flowella, so it must not be remembered as "may have been sent".
		const nodeRuns = jest.spyOn(Flowella.prototype, 'execute');
		emulator.configure({
			latencyMs: 50,
			faults: [
				{ kind: 'status', status: 400, code: 'VALIDATION_ERROR', path: PATH, phone: '+34612000001' },
				{ kind: 'status', status: 429, code: 'RATE_LIMITED', retryAfter: '1', path: PATH, phone: '+34612000002' },
			] as never,
		});
		const result = await runFlowellaWorkflow({
			rows: [
				{ phone: '+34612000001', text: 'a' },
				{ phone: '+34612000002', text: 'b' },
			],
			credentials: { apiKey: KEY, baseUrl: emulator.url },
			parameters: { ...textParameters, options: { concurrency: 2 } },
			settings: retry,
		});
		expect(nodeRuns).toHaveBeenCalledTimes(2);
		nodeRuns.mockRestore();
		expect(result.error).toBeUndefined();
		expect(result.outputs[0].map((item) => typeof item.json.id)).toEqual(['string', 'string']);
		expect(handledMessages()).toHaveLength(2);
	});

	it("n8n's re-run after a 429 that outlasted the node's retries sends that item then, once", async () => {
		const nodeRuns = jest.spyOn(Flowella.prototype, 'execute');
		emulator.configure({ faults: [{ kind: 'status', status: 429, code: 'RATE_LIMITED', retryAfter: '0', path: PATH, phone: '+34612000002', times: 3 }] as never });
		const result = await runFlowellaWorkflow({
			rows: [
				{ phone: '+34612000001', text: 'a' },
				{ phone: '+34612000002', text: 'b' },
			],
			credentials: { apiKey: KEY, baseUrl: emulator.url },
			parameters: { ...textParameters, options: { concurrency: 1 } },
			settings: retry,
		});
		expect(result.error).toBeUndefined();
		expect(result.outputs[0].map((item) => typeof item.json.id)).toEqual(['string', 'string']);
		expect(nodeRuns).toHaveBeenCalledTimes(2);
		expect(handledMessages()).toHaveLength(2);
		nodeRuns.mockRestore();
	});
});
