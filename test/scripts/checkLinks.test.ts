/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// `node scripts/check-links.js` (in `npm run lint`): the repository's own guides pass it, and it reads the guides and reports
// beside README and docs/ (CONTRIBUTING, docs/engineering/), catching a missing file or heading there.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkLinks } = require('../../scripts/check-links.js') as {
	checkLinks(root: string): { files: string[]; links: number; problems: string[] };
};

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowella-links-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
	const root = path.join(scratch, name);
	for (const [file, text] of Object.entries(files)) {
		fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
		fs.writeFileSync(path.join(root, file), text);
	}
	return root;
}

describe('lint:links', () => {
	it('passes on the repository, CONTRIBUTING and docs/engineering/ included', () => {
		const { files, problems } = checkLinks(path.resolve(__dirname, '../..'));
		expect(files).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/contacts.md', 'docs/engineering/pacing.md']));
		expect(problems).toEqual([]);
	});

	it('follows links in CONTRIBUTING.md and docs/engineering/, with their anchors', () => {
		const root = tree('good', {
			'README.md': '# Title\n\n[contributing](CONTRIBUTING.md#adding-an-operation)\n',
			'CONTRIBUTING.md': '## Adding an operation\n\n[report](docs/engineering/report.md#figures)\n',
			'docs/guide.md': '# Guide\n\n[report](engineering/report.md)\n',
			'docs/engineering/report.md': '## Figures\n\n[guide](../guide.md#guide)\n',
		});
		expect(checkLinks(root)).toEqual({
			files: ['README.md', 'CONTRIBUTING.md', 'docs/engineering/report.md', 'docs/guide.md'],
			links: 4,
			problems: [],
		});
	});

	it('reports a missing file or heading in CONTRIBUTING.md and docs/engineering/', () => {
		const root = tree('broken', {
			'README.md': '# Title\n',
			'CONTRIBUTING.md': '# Contributing\n\n[gone](docs/pacing.md)\n',
			'docs/engineering/report.md': '# Report\n\n[guide](../guide.md#no-such-heading)\n',
			'docs/guide.md': '# Guide\n',
		});
		expect(checkLinks(root).problems).toEqual([
			'CONTRIBUTING.md: docs/pacing.md: no file docs/pacing.md',
			'docs/engineering/report.md: ../guide.md#no-such-heading: no heading #no-such-heading in docs/guide.md',
		]);
	});
});
