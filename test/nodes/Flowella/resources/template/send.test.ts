/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// Template → Send to Many through n8n's engine against the emulator: one bulk job for all items,
// every item accounted for, a job never created twice.
import { Flowella } from '../../../../../nodes/Flowella/Flowella.node';
import { emulatorForTests } from '../../../../support/emulator';
import { runFlowellaWorkflow } from '../../../../support/harness';
import type { NodeSettings } from '../../../../support/harness';

const KEY = 'flo_test_template_send_01';
const emulator = emulatorForTests([KEY]);
const PATH = '/api/v1/templates/send';

const templateParameters = {
	resource: 'template',
	operation: 'send',
	templateId: 'tpl_welcome',
	whatsappChannelId: 'ch_emulator_default',
	phone: '={{ $json.phone }}',
	bodyParameters: { parameter: [{ value: '={{ $json.name }}' }] },
	options: {},
};

function sendTemplate(rows: object[], settings: NodeSettings = { onError: 'continueRegularOutput' }, parameters: object = {}, timezone?: string) {
	return runFlowellaWorkflow({
		rows: rows as never,
		credentials: { apiKey: KEY, baseUrl: emulator.url },
		parameters: { ...templateParameters, ...parameters },
		settings,
		timezone,
	});
}

const people = (count: number, from = 0) =>
	Array.from({ length: count }, (_, n) => ({ phone: `+346${String(from + n).padStart(8, '0')}`, name: `Person ${from + n}` }));
const jobRequests = () => emulator.requestsTo('POST', PATH);

describe('Template → Send to Many', () => {
	it('sends all items as the recipients of exactly one job, and outputs the job paired with every item', async () => {
		const result = await sendTemplate(people(250));
		expect(jobRequests()).toHaveLength(1);
		const body = jobRequests()[0].body as { recipients: unknown[] };
		expect(body).toEqual({
			templateId: 'tpl_welcome',
			whatsappChannelId: 'ch_emulator_default',
			recipients: people(250).map(({ phone, name }) => ({ phone, bodyParameters: [name] })),
		});
		const [items] = result.outputs;
		expect(items).toHaveLength(1);
		expect(items[0].json).toEqual({ id: expect.stringMatching(/^job_/), status: 'PENDING', templateId: 'tpl_welcome', scheduledFor: expect.any(String), recipientCount: 250 });
		expect(items[0].pairedItem).toEqual(people(250).map((_, item) => ({ item })));
		await emulator.settleJobs();
		expect(emulator.messagesTo('+34600000249')).toHaveLength(1);
	});

	it('sends the job-level options as Flowella expects them; Scheduled At without a zone is in the workflow timezone', async () => {
		await sendTemplate(
			people(2),
			undefined,
			{
				templateId: '1234567890123456',
				options: {
					templateWabaId: 'waba_emulator',
					headerMedia: '{"type":"image","url":"https://example.com/a.png"}',
					scheduledAt: '2030-01-15T09:30:00',
					throttlePerHour: 600,
					contactId: 'ct_000001',
					buttonParameters: '[{"type":"url","text":"abc"}]',
				},
			},
			'Europe/Madrid',
		);
		const body = jobRequests()[0].body as Record<string, unknown>;
		expect(body).toMatchObject({
			templateId: '1234567890123456',
			templateWabaId: 'waba_emulator',
			headerMedia: { type: 'image', url: 'https://example.com/a.png' },
			scheduledAt: '2030-01-15T08:30:00.000Z',
			throttlePerHour: 600,
		});
		expect((body.recipients as object[])[0]).toEqual({
			phone: '+34600000000',
			contactId: 'ct_000001',
			bodyParameters: ['Person 0'],
			buttonParameters: [{ type: 'url', text: 'abc' }],
		});
	});

	it('items whose job-level values differ go into jobs of their own; output in input order', async () => {
		const rows = [
			{ phone: '+34612000001', name: 'A', tpl: 'tpl_welcome' },
			{ phone: '+34612000002', name: 'B', tpl: 'tpl_no_params' },
			{ phone: '+34612000003', name: 'C', tpl: 'tpl_welcome' },
		];
		const result = await sendTemplate(rows, undefined, {
			templateId: '={{ $json.tpl }}',
			bodyParameters: { parameter: [{ value: "={{ $json.tpl === 'tpl_welcome' ? $json.name : 'unused' }}" }] },
		});
		// tpl_no_params takes no parameters: the emulator refuses a job with one, so give none there.
		expect(jobRequests()).toHaveLength(2);
		const [items] = result.outputs;
		expect(items.map((item) => item.pairedItem)).toEqual([
			[{ item: 0 }, { item: 2 }],
			[{ item: 1 }],
		]);
	});

	it('with Stop Workflow, one invalid item stops the node before anything is sent', async () => {
		const rows = [...people(3), { phone: 'not a phone', name: 'X' }];
		const result = await sendTemplate(rows, {});
		expect(result.error?.message).toMatch(/^Invalid Phone "not a phone" \[item 3\]/);
		expect(jobRequests()).toHaveLength(0);
	});

	it('with Continue, each invalid item is an error item of its own and the others are sent as one job', async () => {
		const rows = [people(1)[0], { phone: '+34612000099', name: '' }, ...people(2, 5), { phone: '12', name: 'short' }];
		const result = await sendTemplate(rows);
		const [items] = result.outputs;
		expect(jobRequests()).toHaveLength(1);
		expect((jobRequests()[0].body as { recipients: object[] }).recipients).toHaveLength(3);
		expect(items.map((item) => item.json.error ?? 'job')).toEqual([
			'job',
			expect.stringMatching(/^Invalid Body Parameter 1 "" \[item 1\]: it is empty/),
			expect.stringMatching(/^Invalid Phone "12" \[item 4\]/),
		]);
		expect(items[0].pairedItem).toEqual([{ item: 0 }, { item: 2 }, { item: 3 }]);
		expect(items[1].pairedItem).toEqual({ item: 1 });
	});

	it.each([
		[{ options: { headerMedia: '[1]' } }, /Invalid Header Media \[1\] \[item 0\]: it must be a JSON object/],
		[{ options: { buttonParameters: '{"a":1}' } }, /Invalid Button Parameters .* it must be a JSON array of objects/],
		[{ options: { throttlePerHour: 0 } }, /Invalid Throttle Per Hour 0 \[item 0\]: it must be a whole number from 1 to 100000/],
		[{ options: { scheduledAt: 'tomorrow' } }, /Invalid Scheduled At "tomorrow" \[item 0\]/],
		[{ templateId: '={{ $json.missing ?? "" }}' }, /Invalid Template ID "" \[item 0\]: it is empty; it is required/],
		[{ whatsappChannelId: 'ch one' }, /Invalid WhatsApp Channel ID "ch one" \[item 0\]: it contains spaces/],
	])('refuses %j before sending, naming the field', async (parameters, message) => {
		const result = await sendTemplate(people(1), undefined, parameters);
		expect(result.outputs[0][0].json.error).toMatch(message);
		expect(jobRequests()).toHaveLength(0);
	});

	it("Flowella's refusals (unknown template, wrong parameter count, 402) are one error item for the job, paired with all its items", async () => {
		let result = await sendTemplate(people(3), undefined, { templateId: 'tpl_missing' });
		expect(result.outputs[0]).toHaveLength(1);
		expect(result.outputs[0][0].json.error).toMatch(/^Flowella answered 404 .*\[items 0–2\]$/);
		expect(result.outputs[0][0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		result = await sendTemplate(people(2), undefined, { templateId: 'tpl_order_update' });
		expect(result.outputs[0][0].json.error).toMatch(/^Flowella answered 400/);
		emulator.configure({ billing: false });
		result = await sendTemplate(people(2));
		expect(result.outputs[0][0].json.message).toMatch(/subscription does not cover sending/);
	});

	it('splits beyond 50,000 recipients into jobs of at most 50,000', async () => {
		const result = await sendTemplate(people(50_001), undefined, { bodyParameters: { parameter: [{ value: 'x' }] } });
		const sizes = jobRequests().map((request) => (request.body as { recipients: unknown[] }).recipients.length);
		expect(sizes).toEqual([50_000, 1]);
		expect(result.outputs[0].map((item) => item.json.recipientCount)).toEqual([50_000, 1]);
	}, 60_000);
});

describe('Template → Send to Many never creates a job twice', () => {
	const retry: NodeSettings = { retryOnFail: true, maxTries: 3, waitBetweenTries: 1 };

	it.each([
		['a 500 after Flowella stored it', { kind: 'status', status: 500, after: true }],
		['a connection reset after Flowella stored it', { kind: 'reset', after: true }],
		['a request that timed out', { kind: 'hang' }],
	])('%s: not retried by the node nor re-sent by n8n, the error says the job may have been sent', async (_name, fault) => {
		const nodeRuns = jest.spyOn(Flowella.prototype, 'execute');
		emulator.configure({ faults: [{ ...fault, path: PATH }] as never });
		const result = await sendTemplate(people(5), { ...retry, onError: 'continueRegularOutput' }, { options: { timeout: 1000 } });
		expect(result.outputs[0]).toHaveLength(1);
		expect(result.outputs[0][0].json.error).toMatch(/the bulk send job may have been sent, so it was not retried; check in Flowella before sending it again \[items 0–4\]/);
		expect(jobRequests()).toHaveLength(1);
		// n8n re-ran the node (its first item is an error) without sending the job again.
		expect(nodeRuns).toHaveBeenCalledTimes(3);
		nodeRuns.mockRestore();
	});

	it("n8n's re-run never creates a job again when Scheduled At uses $now, and the error names the job already created", async () => {
		// Item 1's template needs no body parameter: Flowella refuses its job (400) after item 0's job
		// was created; with Stop Workflow n8n re-runs the node twice.
		const nodeRuns = jest.spyOn(Flowella.prototype, 'execute');
		const result = await sendTemplate(
			[
				{ phone: '+34600000001', name: 'Ada', template: 'tpl_welcome' },
				{ phone: '+34600000002', name: 'Bea', template: 'tpl_order_update' },
			],
			retry,
			{ templateId: '={{ $json.template }}', options: { scheduledAt: "={{ $now.plus(1, 'hour').toISO() }}" } },
		);
		expect(nodeRuns).toHaveBeenCalledTimes(3);
		nodeRuns.mockRestore();
		expect(emulator.jobs).toHaveLength(1);
		const created = emulator.jobs[0] as { id: string };
		expect(result.error?.message).toMatch(/^Flowella answered 400/);
		expect(result.error?.description).toContain(`1 other bulk send job was created before the node stopped (${created.id} for item 0)`);
	});

	it('a 429 did not reach Flowella: the job goes again and is created once', async () => {
		emulator.configure({ faults: [{ kind: 'status', status: 429, code: 'RATE_LIMITED', retryAfter: '0', path: PATH }] as never });
		const result = await sendTemplate(people(5), retry);
		expect(result.outputs[0][0].json.recipientCount).toBe(5);
		expect(emulator.jobs).toHaveLength(1);
	});
});
