// What scripts/example-outputs.js records of an example's run, what it masks, and when two runs differ.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { normalise, recordExecution, compareOutputs } = require('../../tools/example-outputs.js') as {
	normalise(value: unknown): unknown;
	recordExecution(execution: unknown): { nodes: Record<string, Array<{ outputs: Record<string, unknown[][]>; error?: unknown }>>; error?: unknown };
	compareOutputs(a: unknown, b: unknown, names: { a: string; b: string }): { differ: boolean; lines: string[] };
};

const contact = (createdAt: string, note = `imported ${createdAt}`) => ({
	id: 'ct_000026',
	phone: '+34612345678',
	name: 'Lucía Fernández',
	createdAt,
	updatedAt: createdAt,
	note,
	count: 3,
});

const execution = (createdAt: string, email = 'lucia@example.com') => ({
	data: {
		resultData: {
			runData: {
				Flowella: [
					{
						startTime: Date.parse(createdAt),
						executionTime: 17,
						data: {
							main: [
								[{ json: { ...contact(createdAt, 'imported 2026-01-01T00:00:00.000Z from the sheet'), email }, pairedItem: { item: 0 } }],
								[{ json: { error: 'Phone "ask reception" is not a phone number' }, pairedItem: { item: 1 } }],
							],
						},
					},
				],
				'Contacts CSV': [
					{
						data: {
							main: [
								[
									{
										json: {},
										binary: {
											data: { mimeType: 'text/csv', fileName: 'flowella-contacts.csv', bytes: 3013, id: `filesystem-v2:${createdAt}`, data: 'filesystem-v2' },
										},
									},
								],
							],
						},
					},
				],
				Tool: [{ data: { ai_tool: [[{ json: { response: 'ok' } }]] }, error: { message: 'Flowella refused it', description: 'Check the key', stack: 'Error: at …' } }],
			},
			error: { message: 'Workflow failed', stack: 'at …', timestamp: 1 },
		},
	},
});

const file = (createdAt: string, email?: string) => ({
	tarball: 'n8n-nodes-flowella-0.1.0.tgz',
	n8n: '2.40.7',
	skipped: [{ file: 'auto-reply.json', why: 'webhook' }],
	examples: { 'sheet-rows-to-flowella.json': { runAs: 'as shipped', exit: 0, ...recordExecution(execution(createdAt, email)) } },
});

describe('example outputs', () => {
	it('masks a whole date-time string and nothing else: ids, a date-time inside a sentence, numbers stay', () => {
		expect(normalise([contact('2026-12-02T14:16:02.302Z')])).toEqual([
			{
				id: 'ct_000026',
				phone: '+34612345678',
				name: 'Lucía Fernández',
				createdAt: '<date-time>',
				updatedAt: '<date-time>',
				note: 'imported 2026-12-02T14:16:02.302Z',
				count: 3,
			},
		]);
		expect(normalise({ at: '2026-12-02T14:16:02+01:00', day: '2026-12-02', id: '846fe8a6-35c1-40a1-bb99-6d3541392f2d' })).toEqual({
			at: '<date-time>',
			day: '2026-12-02',
			id: '846fe8a6-35c1-40a1-bb99-6d3541392f2d',
		});
	});

	it('records every output of every connection type, the pairing, file details and error texts, not timings or stacks', () => {
		const recorded = recordExecution(execution('2026-12-02T14:16:02.302Z'));
		expect(recorded.nodes.Flowella).toEqual([
			{
				outputs: {
					main: [
						[{ json: expect.objectContaining({ id: 'ct_000026', createdAt: '<date-time>', email: 'lucia@example.com' }), pairedItem: { item: 0 } }],
						[{ json: { error: 'Phone "ask reception" is not a phone number' }, pairedItem: { item: 1 } }],
					],
				},
			},
		]);
		expect(recorded.nodes['Contacts CSV'][0].outputs.main[0][0]).toEqual({
			json: {},
			binary: { data: { mimeType: 'text/csv', fileName: 'flowella-contacts.csv', bytes: 3013 } },
		});
		expect(recorded.nodes.Tool).toEqual([{ outputs: { ai_tool: [[{ json: { response: 'ok' } }]] }, error: { message: 'Flowella refused it', description: 'Check the key' } }]);
		expect(recorded.error).toEqual({ message: 'Workflow failed' });
	});

	it('two runs that differ only in date-times and file storage are the same', () => {
		const { differ, lines } = compareOutputs(file('2026-12-02T14:16:02.302Z'), file('2026-12-03T09:00:00.000Z'), { a: 'a.json', b: 'b.json' });
		expect(lines.at(-1)).toBe('the outputs are the same');
		expect(differ).toBe(false);
	});

	it('a changed value is a difference, shown with where it is and both values', () => {
		const { differ, lines } = compareOutputs(file('2026-12-02T14:16:02.302Z'), file('2026-12-02T14:16:02.302Z', 'lucia@example.org'), { a: 'a.json', b: 'b.json' });
		expect(differ).toBe(true);
		expect(lines).toContain('1 difference:');
		expect(lines).toContain('  examples › sheet-rows-to-flowella.json › nodes › Flowella › [0] › outputs › main › [0] › [0] › json › email');
		expect(lines).toContain('    a: "lucia@example.com"');
		expect(lines).toContain('    b: "lucia@example.org"');
	});

	it('an item more, an example fewer or a different skip list is a difference', () => {
		const base = file('2026-12-02T14:16:02.302Z');
		const moreItems = JSON.parse(JSON.stringify(base));
		moreItems.examples['sheet-rows-to-flowella.json'].nodes.Flowella[0].outputs.main[1].push({ json: { error: 'another' } });
		expect(compareOutputs(base, moreItems, { a: 'a', b: 'b' }).differ).toBe(true);
		expect(compareOutputs(base, { ...base, examples: {} }, { a: 'a', b: 'b' }).differ).toBe(true);
		expect(compareOutputs(base, { ...base, skipped: [] }, { a: 'a', b: 'b' }).differ).toBe(true);
	});
});
