/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// Conversation → Get Many through n8n's engine against the emulator.
import { emulatorForTests } from '../../../../support/emulator';
import { runFlowellaWorkflow } from '../../../../support/harness';

const KEY = 'flo_test_conversations_01';
const emulator = emulatorForTests([KEY]);
const PATH = '/api/v1/conversations';

function getMany(parameters: object, rows: object[] = [{}]) {
	return runFlowellaWorkflow({
		rows: rows as never,
		credentials: { apiKey: KEY, baseUrl: emulator.url },
		parameters: { resource: 'conversation', operation: 'getAll', ...parameters },
		settings: { onError: 'continueRegularOutput' },
	});
}

describe('Conversation → Get Many', () => {
	it('returns every conversation as Flowella sent it, following the cursor', async () => {
		emulator.seed({ contacts: 10, conversations: 230 });
		const result = await getMany({ returnAll: true });
		const [items] = result.outputs;
		expect(items.map((item) => item.json)).toEqual(emulator.conversations);
		expect(emulator.requestsTo('GET', PATH).map((request) => request.query)).toEqual([
			{ limit: '100' },
			{ limit: '100', cursor: expect.any(String) },
			{ limit: '100', cursor: expect.any(String) },
		]);
	});

	it('sends the Status filter and returns only those', async () => {
		emulator.seed({ contacts: 2, conversations: 50 });
		const result = await getMany({ returnAll: true, filters: { status: 'SNOOZED' } });
		const statuses = result.outputs[0].map((item) => item.json.status);
		expect(statuses).toHaveLength(10);
		expect(new Set(statuses)).toEqual(new Set(['SNOOZED']));
		expect(emulator.requestsTo('GET', PATH)[0].query).toEqual({ limit: '100', status: 'SNOOZED' });
	});

	it('a Status from an expression that is not one of Flowella\'s is refused before sending', async () => {
		emulator.seed({ conversations: 3 });
		const result = await getMany({ returnAll: true, filters: { status: '={{ $json.status }}' } }, [{ status: 'open' }, { status: 'done' }]);
		const [items] = result.outputs;
		expect(items.filter((item) => item.json.error === undefined).map((item) => item.json.status)).toEqual(['OPEN']);
		expect(items.at(-1)?.json.error).toMatch(/^Invalid Status "done" \[item 1\]: it is not a conversation status/);
		expect(emulator.requestsTo('GET', PATH)).toHaveLength(1);
	});

	it('Limit stops as soon as it has enough', async () => {
		emulator.seed({ conversations: 300 });
		const result = await getMany({ returnAll: false, limit: 120 });
		expect(result.outputs[0]).toHaveLength(120);
		expect(emulator.requestsTo('GET', PATH).map((request) => request.query.limit)).toEqual(['100', '20']);
	});

	it('an empty page with a cursor is followed, for Return All and for Limit', async () => {
		emulator.seed({ contacts: 10, conversations: 30 });
		emulator.configure({ faults: [{ kind: 'emptyPage', path: PATH, method: 'GET', times: 2 }] });
		const all = await getMany({ returnAll: true });
		expect(all.outputs[0].map((item) => item.json)).toEqual(emulator.conversations);
		emulator.configure({ faults: [{ kind: 'emptyPage', path: PATH, method: 'GET', times: 1 }] });
		const some = await getMany({ returnAll: false, limit: 7 });
		expect(some.outputs[0].map((item) => item.json)).toEqual(emulator.conversations.slice(0, 7));
	});
});
