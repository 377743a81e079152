#!/usr/bin/env node
'use strict';
// The example workflows' outputs, to show a change kept the package's behaviour: runs every
// shipped example that `n8n execute` can start (tools/example-runs.js) in a fresh n8n with one
// packed package, and writes every node's output items, normalised (what is masked:
// tools/example-outputs.js), to a JSON file; `--compare` diffs two such files. Run it on the
// tarball before a change and after it: only the tarball differs, the emulator and examples are
// this checkout's.
//
//   node scripts/example-outputs.js                                  build and pack this checkout, n8n 2.40.7
//   node scripts/example-outputs.js --tarball <tgz> --out before.json
//   node scripts/example-outputs.js --n8n 1.123.81 --out <file>
//   node scripts/example-outputs.js --raw <dir>                      also keep each whole execution there
//   node scripts/example-outputs.js --compare before.json after.json exits 1 when the outputs differ
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = path.resolve(__dirname, '..');
const log = (/** @type {string} */ line) => void process.stderr.write(`${line}\n`);

function compare(/** @type {string[]} */ files) {
	const { compareOutputs } = require('../tools/example-outputs');
	if (files.length !== 2) throw new Error('--compare takes two output files: --compare a.json b.json');
	const [a, b] = files.map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
	const { differ, lines } = compareOutputs(a, b, { a: files[0], b: files[1] });
	process.stdout.write(`${lines.join('\n')}\n`);
	return differ ? 1 : 0;
}

async function main() {
	const { values, positionals } = parseArgs({
		allowPositionals: true,
		options: {
			tarball: { type: 'string' },
			n8n: { type: 'string' },
			out: { type: 'string' },
			raw: { type: 'string' },
			compare: { type: 'boolean', default: false },
		},
	});
	if (values.compare) return compare(positionals);
	if (positionals.length) throw new Error(`unexpected arguments: ${positionals.join(' ')}`);

	const { buildAndPack, killChildrenOnSignals } = require('../tools/n8n-harness');
	const { DEFAULT_VERSION } = require('../tools/n8n-installer');
	const { runExamples } = require('../tools/example-runs');
	const { MASKED, countOutputs } = require('../tools/example-outputs');
	killChildrenOnSignals();
	const version = values.n8n ?? DEFAULT_VERSION;
	const tgz = values.tarball ? path.resolve(values.tarball) : await buildAndPack({ log });
	if (!fs.existsSync(tgz)) throw new Error(`no tarball at ${tgz}`);
	const out = path.resolve(values.out ?? path.join(ROOT, '.e2e', 'example-outputs', `n8n-${version}.json`));
	const started = Date.now();
	const result = await runExamples({ tgz, version, log, rawDir: values.raw && path.resolve(values.raw) });
	const sha256 = crypto.createHash('sha256').update(fs.readFileSync(tgz)).digest('hex');
	const file = { tarball: path.basename(tgz), tarballPath: tgz, tarballSha256: sha256, ...result, masked: MASKED };
	fs.mkdirSync(path.dirname(out), { recursive: true });
	fs.writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`);
	const counts = countOutputs(file);
	for (const { file: skippedFile, why } of result.skipped) log(`[examples] skipped ${skippedFile}: ${why}`);
	log(`[examples] ${counts.examples} examples, ${counts.nodes} nodes (${counts.nodeRuns} node runs), ${counts.items} output items in ${((Date.now() - started) / 1000).toFixed(0)} s`);
	process.stdout.write(`${out}\n`);
	return 0;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		log(`example-outputs failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
		process.exit(2);
	},
);
