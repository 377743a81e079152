/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// Analytics → Get Outbound Message Stats through n8n's engine against the emulator.
import { emulatorForTests } from '../../../../support/emulator';
import { runFlowellaWorkflow } from '../../../../support/harness';

const KEY = 'flo_test_analytics_01';
const emulator = emulatorForTests([KEY]);
const PATH = '/api/v1/analytics';

function stats(parameters: object, { rows = [{}] as object[], timezone = 'Europe/Madrid' } = {}) {
	return runFlowellaWorkflow({
		rows: rows as never,
		credentials: { apiKey: KEY, baseUrl: emulator.url },
		parameters: { resource: 'analytics', operation: 'getOutbound', ...parameters },
		settings: { onError: 'continueRegularOutput' },
		timezone,
	});
}

describe('Analytics → Get Outbound Message Stats', () => {
	it("reads a period without a zone in the workflow's timezone, sends it as UTC, returns Flowella's answer as it is", async () => {
		emulator.seed({ messages: 10, messagesUntil: '2026-01-01T10:00:00.000Z' });
		// 10:55 and 11:00 in Madrid (UTC+1 in January) are 09:55 and 10:00 UTC.
		const result = await stats({ startDate: '2026-01-01T10:55:00', endDate: '2026-01-01T11:00:00' });
		expect(result.error).toBeUndefined();
		expect(emulator.requestsTo('GET', PATH)[0].query).toEqual({ startDate: '2026-01-01T09:55:00.000Z', endDate: '2026-01-01T10:00:00.000Z' });
		expect(result.outputs[0].map((item) => item.json)).toEqual([
			{
				period: { start: '2026-01-01T09:55:00.000Z', end: '2026-01-01T10:00:00.000Z' },
				outboundMessages: {
					total: 6,
					counts: { PENDING: 2, SENT: 1, DELIVERED: 1, READ: 1, FAILED: 1 },
					deliveryRate: 0.3333,
					readRate: 0.1667,
					failureRate: 0.1667,
				},
			},
		]);
	});

	it('takes a zone written in the value over the workflow timezone', async () => {
		await stats({ startDate: '2026-06-01T00:00:00Z', endDate: '2026-06-30T23:59:59+02:00' }, { timezone: 'America/New_York' });
		expect(emulator.requestsTo('GET', PATH)[0].query).toEqual({ startDate: '2026-06-01T00:00:00.000Z', endDate: '2026-06-30T21:59:59.000Z' });
	});

	it('refuses, per item and before sending, an end not after the start, and dates that are not dates', async () => {
		const result = await stats(
			{ startDate: '={{ $json.start }}', endDate: '={{ $json.end }}' },
			{
				rows: [
					{ start: '2026-01-02T00:00:00', end: '2026-01-01T00:00:00' },
					{ start: '2026-01-01T00:00:00', end: '2026-01-01T00:00:00' },
					{ start: 'last week', end: '2026-01-01T00:00:00' },
					{ start: '2026-01-01T00:00:00', end: '' },
					{ start: '2026-01-01T00:00:00', end: '2026-02-01T00:00:00' },
				],
			},
		);
		const errors = result.outputs[0].map((item) => item.json.error);
		expect(errors[0]).toMatch(/^Invalid End Date "2026-01-01T00:00:00" \[item 0\]: it is not after the Start Date \(2026-01-01T23:00:00.000Z\)/);
		expect(errors[1]).toMatch(/\[item 1\]: it is not after the Start Date/);
		expect(errors[2]).toMatch(/^Invalid Start Date "last week" \[item 2\]/);
		expect(errors[3]).toMatch(/^Invalid End Date "" \[item 3\]: it is empty/);
		expect(errors[4]).toBeUndefined();
		expect(emulator.requestsTo('GET', PATH)).toHaveLength(1);
	});
});
