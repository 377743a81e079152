/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// Contact → Opt Out through n8n's engine against the emulator: safe to repeat, so retried like an upsert.
import { emulatorForTests } from '../../../../support/emulator';
import { runFlowellaWorkflow } from '../../../../support/harness';
import type { NodeSettings } from '../../../../support/harness';

const KEY = 'flo_test_opt_out_01';
const emulator = emulatorForTests([KEY]);
const PATH = '/api/v1/opt-outs';

function optOut(rows: object[], settings: NodeSettings = { onError: 'continueRegularOutput' }, parameters: object = {}) {
	return runFlowellaWorkflow({
		rows: rows as never,
		credentials: { apiKey: KEY, baseUrl: emulator.url },
		parameters: {
			resource: 'contact',
			operation: 'optOut',
			whatsappChannelId: 'ch_emulator_default',
			phone: '={{ $json.phone }}',
			additionalFields: { reason: '={{ $json.reason }}' },
			options: {},
			...parameters,
		},
		settings,
	});
}

describe('Contact → Opt Out', () => {
	it('sets the opt-out per item with action "set", and outputs the state; sending to them is then refused', async () => {
		const result = await optOut([{ phone: '+34 612 000 001', reason: 'Replied STOP' }, { phone: '+34612000002' }]);
		expect(emulator.requestsTo('POST', PATH).map((request) => request.body)).toEqual([
			{ action: 'set', whatsappChannelId: 'ch_emulator_default', phone: '+34612000001', reason: 'Replied STOP' },
			{ action: 'set', whatsappChannelId: 'ch_emulator_default', phone: '+34612000002' },
		]);
		expect(result.outputs[0].map((item) => item.json)).toEqual([
			{ active: true, optOutId: expect.any(String), revokedAt: null },
			{ active: true, optOutId: expect.any(String), revokedAt: null },
		]);
		const send = await runFlowellaWorkflow({
			rows: [{ phone: '+34612000001' }],
			credentials: { apiKey: KEY, baseUrl: emulator.url },
			parameters: { resource: 'message', operation: 'sendText', to: '={{ $json.phone }}', text: 'hi', options: {} },
			settings: { onError: 'continueRegularOutput' },
		});
		expect(send.outputs[0][0].json.error).toMatch(/403 CONTACT_OPTED_OUT/);
	});

	it('is safe to repeat: a 500 is retried, and the opt-out is the same one', async () => {
		emulator.configure({ faults: [{ kind: 'status', status: 500, after: true, path: PATH }] as never });
		const result = await optOut([{ phone: '+34612000001' }], { retryOnFail: true, maxTries: 3, waitBetweenTries: 1 });
		expect(result.outputs[0][0].json.active).toBe(true);
		expect(emulator.requestsTo('POST', PATH)).toHaveLength(2);
		expect(emulator.optOuts.size).toBe(1);
	});

	it.each([
		[{ reason: 'r'.repeat(501) }, /^Invalid Reason "r+… \[item 0\]: it is 501 characters long; Flowella accepts at most 500/],
		[{ phone: '+34 61' }, /^Invalid Phone "\+34 61" \[item 0\]/],
	])('refuses bad input before sending: %j', async (row, message) => {
		const result = await optOut([{ phone: '+34612000001', ...row }]);
		expect(result.outputs[0][0].json.error).toMatch(message);
		expect(emulator.requestsTo('POST', PATH)).toHaveLength(0);
	});

	it('an unknown channel is a per-item error that points at the channel ID', async () => {
		const result = await optOut([{ phone: '+34612000001' }], undefined, { whatsappChannelId: 'ch_unknown' });
		expect(result.outputs[0][0].json.error).toMatch(/^Flowella answered 404/);
		expect(result.outputs[0][0].json.message).toMatch(/no WhatsApp channel or template with this ID/);
	});
});
