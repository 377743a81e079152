#!/usr/bin/env node
// Runs n8n's community-package scanner (the check behind n8n's verification) locally: on the
// unpacked `npm pack` tarball, as n8n scans a published package, and on the source tree.
// Its provenance check needs a package published from CI and is out of reach here.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { pack } = createRequire(import.meta.url)('../tools/pack.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flowella-scan-'));

try {
	// Builds explicitly and checks the packed file list (tools/pack.js).
	const { tgz: tarball } = await pack({ outDir: work });
	const unpacked = path.join(work, 'package');
	execFileSync('tar', ['-xzf', tarball, '-C', work]);
	const shipped = execFileSync('find', ['.', '-type', 'f'], { cwd: unpacked, encoding: 'utf8' }).trim().split('\n').sort();
	process.stdout.write(`tarball ${path.basename(tarball)}: ${shipped.length} files\n`);

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
	process.exitCode = failed ? 1 : 0;
} finally {
	fs.rmSync(work, { recursive: true, force: true });
}
