/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// The release check the publish workflow runs before `npm publish` (scripts/check-release.js).
import * as fs from 'node:fs';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { releaseProblems, githubRepository } = require('../../scripts/check-release.js') as {
	releaseProblems(input: { tag?: string; manifest: Record<string, unknown>; changelog: string; githubRepo?: string }): string[];
	githubRepository(repository: unknown): string | undefined;
};

const manifest = {
	name: 'n8n-nodes-flowella',
	version: '1.2.3',
	repository: { type: 'git', url: 'git+https://github.com/flowella/n8n-nodes-flowella.git' },
};
const changelog = '# Changelog\n\n## [Unreleased]\n\n## [1.2.3] - 2026-11-25\n\n### Added\n- x\n';

describe('release check', () => {
	it('lets a matching tag, changelog section and repository through', () => {
		expect(releaseProblems({ tag: 'v1.2.3', manifest, changelog, githubRepo: 'flowella/n8n-nodes-flowella' })).toEqual([]);
	});

	it('refuses a tag that is not v + the package version, or no tag', () => {
		expect(releaseProblems({ tag: 'v1.2.4', manifest, changelog })).toEqual(['tag v1.2.4 is not v1.2.3, the version in package.json']);
		expect(releaseProblems({ tag: '1.2.3', manifest, changelog })).toEqual(['tag 1.2.3 is not v1.2.3, the version in package.json']);
		expect(releaseProblems({ manifest, changelog })).toEqual(['no tag: run on a v* tag, or pass --tag']);
	});

	it('refuses a version without a dated changelog section', () => {
		const undated = changelog.replace('## [1.2.3] - 2026-11-25', '## [1.2.3]');
		expect(releaseProblems({ tag: 'v1.2.3', manifest, changelog: undated })).toEqual(['CHANGELOG.md has no "## [1.2.3] - YYYY-MM-DD" section']);
		// 1.2.30 is not 1.2.3, and dots are not wildcards.
		const other = changelog.replace('[1.2.3]', '[1.2.30]');
		expect(releaseProblems({ tag: 'v1.2.3', manifest, changelog: other })).toHaveLength(1);
		expect(releaseProblems({ tag: 'v1.2.3', manifest, changelog: changelog.replace('[1.2.3]', '[1x2x3]') })).toHaveLength(1);
	});

	it('refuses a run in another repository than package.json names (npm would reject the provenance)', () => {
		expect(releaseProblems({ tag: 'v1.2.3', manifest, changelog, githubRepo: 'someone/fork' })).toEqual([
			"package.json's repository is flowella/n8n-nodes-flowella, but this runs in someone/fork",
		]);
		expect(releaseProblems({ tag: 'v1.2.3', manifest: { ...manifest, repository: undefined }, changelog })).toEqual([
			'package.json has no GitHub repository URL',
		]);
	});

	it('reads owner/name from the forms package.json uses', () => {
		expect(githubRepository('git+https://github.com/flowella/n8n-nodes-flowella.git')).toBe('flowella/n8n-nodes-flowella');
		expect(githubRepository({ url: 'https://github.com/flowella/n8n-nodes-flowella' })).toBe('flowella/n8n-nodes-flowella');
		expect(githubRepository('git@github.com:flowella/n8n-nodes-flowella.git')).toBe('flowella/n8n-nodes-flowella');
		expect(githubRepository('https://gitlab.com/flowella/x')).toBeUndefined();
	});

	it('passes for this repository: package.json\'s version has its CHANGELOG section (RELEASING.md, step 3)', () => {
		const root = path.resolve(__dirname, '../..');
		const real = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; repository: unknown };
		const problems = releaseProblems({
			tag: `v${real.version}`,
			manifest: real,
			changelog: fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8'),
			githubRepo: 'flowella/n8n-nodes-flowella',
		});
		expect(problems).toEqual([]);
	});
});
