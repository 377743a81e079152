#!/usr/bin/env node
// Runs n8n's community-package scanner (the check behind n8n's verification) locally: on the
// unpacked `npm pack` tarball, as n8n scans a published package, and on the source tree.
// Its provenance check needs a package published from CI and is out of reach here.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flowella-scan-'));

try {
	execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
	const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' })
		.trim()
		.split('\n')
		.pop();
	const unpacked = path.join(work, 'package');
	execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', work]);
	const shipped = execFileSync('find', ['.', '-type', 'f'], { cwd: unpacked, encoding: 'utf8' }).trim().split('\n').sort();
	process.stdout.write(`tarball ${tarball}: ${shipped.length} files\n`);

	let failed = false;
	for (const [label, dir, patterns] of [
		['packed tarball', unpacked, ['**/*.js', 'package.json']],
		['source tree', root, SOURCE_FILE_PATTERNS],
	]) {
		const result = await analyzePackage(dir, patterns);
		process.stdout.write(`scan ${label}: ${result.passed ? 'passed' : `FAILED ${result.message}`}\n`);
		if (!result.passed) {
			failed = true;
			process.stdout.write(`${result.details ?? result.error ?? ''}\n`);
		}
	}
	const unexpected = shipped.filter((file) => !/^\.\/(package\.json|README\.md|LICENSE|index\.js|dist\/.+)$/.test(file));
	if (unexpected.length > 0) {
		failed = true;
		process.stdout.write(`files that n8n does not need are in the tarball:\n${unexpected.join('\n')}\n`);
	}
	process.exitCode = failed ? 1 : 0;
} finally {
	fs.rmSync(work, { recursive: true, force: true });
}
