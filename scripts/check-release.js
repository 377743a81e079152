#!/usr/bin/env node
'use strict';
// What the publish workflow checks before `npm publish` (RELEASING.md):
// - the tag is `v` + package.json's version, so a tag never publishes other code under its name;
// - CHANGELOG.md has a dated section for that version;
// - package.json's repository is the GitHub repository the workflow runs in: npm refuses a
//   provenance statement whose source repository differs from it.
//
//   node scripts/check-release.js [--tag v1.2.3]   the tag defaults to GITHUB_REF_NAME on a tag push
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = path.resolve(__dirname, '..');

/** `owner/name` from a package.json repository (a string or `{ url }`), or undefined. */
function githubRepository(repository) {
	const url = typeof repository === 'string' ? repository : repository?.url;
	const match = /github\.com[/:]([^/]+\/[^/]+?)(?:\.git)?\/?$/.exec(url ?? '');
	return match?.[1];
}

/** Reasons not to publish, as sentences; empty when the release may go ahead. */
function releaseProblems({ tag, manifest, changelog, githubRepo }) {
	const problems = [];
	const version = manifest.version;
	if (!tag) problems.push('no tag: run on a v* tag, or pass --tag');
	else if (tag !== `v${version}`) problems.push(`tag ${tag} is not v${version}, the version in package.json`);

	const escaped = version.replace(/[.+]/g, '\\$&');
	if (!new RegExp(`^## \\[${escaped}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm').test(changelog)) {
		problems.push(`CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section`);
	}

	const declared = githubRepository(manifest.repository);
	if (!declared) problems.push('package.json has no GitHub repository URL');
	else if (githubRepo && declared.toLowerCase() !== githubRepo.toLowerCase()) {
		problems.push(`package.json's repository is ${declared}, but this runs in ${githubRepo}`);
	}
	return problems;
}

module.exports = { releaseProblems, githubRepository };

if (require.main === module) {
	const { values } = parseArgs({ options: { tag: { type: 'string' } } });
	const tag = values.tag ?? (process.env.GITHUB_REF_TYPE === 'tag' ? process.env.GITHUB_REF_NAME : undefined);
	const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	const changelog = fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
	const problems = releaseProblems({ tag, manifest, changelog, githubRepo: process.env.GITHUB_REPOSITORY });
	if (problems.length > 0) {
		process.stderr.write(`not releasing ${manifest.name}@${manifest.version}:\n  ${problems.join('\n  ')}\n`);
		process.exit(1);
	}
	process.stdout.write(`release check: ${tag} = ${manifest.name}@${manifest.version}, changelog section and repository match\n`);
}
