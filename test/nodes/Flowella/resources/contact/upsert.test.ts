/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// Errors from n8n itself while it reads an item's parameters (a failing expression) name the item
// the way the node's own errors do.
import { rowParameters, runFlowellaWorkflow } from '../../../../support/harness';
import { emulatorForTests } from '../../../../support/emulator';

const KEY = 'flo_test_expression_errors_0123';
const emulator = emulatorForTests([KEY]);

const rows = [{ phone: '+34612345678' }, { phone: '+34612345679', bad: '{not json' }, { phone: '+34612345670' }];
const failingPhone = { ...rowParameters, phone: '={{ $json.bad === undefined ? $json.phone : $("No such node").item.json.phone }}' };

describe('a parameter expression that throws for one item', () => {
	it('becomes that item\'s error, ending with [item N], with On Error = Continue', async () => {
		const result = await runFlowellaWorkflow({
			rows,
			credentials: { apiKey: KEY, baseUrl: emulator.url },
			settings: { onError: 'continueRegularOutput' },
			parameters: failingPhone,
		});
		expect(result.error).toBeUndefined();
		const [items] = result.outputs;
		expect(items.map((item) => item.json.error === undefined)).toEqual([true, false, true]);
		expect(items[1].json.error).toMatch(/ \[item 1\]$/);
		expect(emulator.requestsTo('POST', '/api/v1/contacts').map((request) => (request.body as { phone: string }).phone)).toEqual([
			'+34612345678',
			'+34612345670',
		]);
	});

	it('stops the run with an error ending with [item N] by default', async () => {
		const result = await runFlowellaWorkflow({
			rows,
			credentials: { apiKey: KEY, baseUrl: emulator.url },
			parameters: failingPhone,
		});
		expect(result.error?.message).toMatch(/ \[item 1\]$/);
	});

	it('on the error output too', async () => {
		const result = await runFlowellaWorkflow({
			rows,
			credentials: { apiKey: KEY, baseUrl: emulator.url },
			settings: { onError: 'continueErrorOutput' },
			parameters: { ...rowParameters, additionalFields: { name: '={{ $json.bad === undefined ? "Ana" : $("No such node").item.json.name }}' } },
		});
		expect(result.outputs[0]).toHaveLength(2);
		expect(result.outputs[1]).toHaveLength(1);
		expect(result.outputs[1][0].json.error).toMatch(/ \[item 1\]$/);
		expect(result.outputs[1][0].pairedItem).toEqual({ item: 1 });
	});
});
