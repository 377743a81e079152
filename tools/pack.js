'use strict';
// The one way this package is packed, for n8n, for the tests and for publishing (the command:
// scripts/pack.js). The repository's .npmrc sets ignore-scripts (dev dependencies have install
// scripts that cannot run here), which also turns off prepack/prepublish: so the build is run
// explicitly, and the tarball's file list is checked against what n8n loads before anyone gets it.
const { execFile, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { promisify } = require('node:util');

const { lock, npmChildEnv } = require('./n8n-installer');

const ROOT = path.resolve(__dirname, '..');

/** What n8n needs from the tarball: every file the "n8n" attribute names, its codex and icons. */
function requiredFiles(manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))) {
	const entries = [...manifest.n8n.nodes, ...manifest.n8n.credentials];
	const required = new Set(['package.json', 'README.md', 'LICENSE', manifest.main]);
	for (const entry of entries) {
		required.add(entry);
		if (entry.endsWith('.node.js')) required.add(entry.replace(/\.js$/, '.json'));
	}
	// Icons are referenced as file:… relative to the compiled node or credential.
	for (const entry of entries) {
		const source = fs.readFileSync(path.join(ROOT, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts')), 'utf8');
		for (const [, icon] of source.matchAll(/'file:([^']+\.svg)'/g)) {
			required.add(path.posix.normalize(path.posix.join(path.posix.dirname(entry), icon)));
		}
	}
	return [...required].sort();
}

/** Problems with a packed file list, as sentences; empty when n8n gets everything it needs. */
function checkFileList(files) {
	const problems = [];
	const shipped = new Set(files);
	for (const file of requiredFiles()) if (!shipped.has(file)) problems.push(`missing ${file}`);
	for (const file of files) {
		if (!/^(package\.json|README\.md|LICENSE|index\.js|dist\/.+)$/.test(file)) problems.push(`not needed by n8n: ${file}`);
		if (file.endsWith('.ts') && !file.endsWith('.d.ts')) problems.push(`source file shipped: ${file}`);
		if (/^dist\/test\//.test(file)) problems.push(`test file shipped: ${file}`);
	}
	return problems;
}

// Asynchronous, so an emulator in the calling process keeps answering while this runs.
async function build(log) {
	const started = Date.now();
	log('[pack] npm run build');
	await new Promise(/** @param {(value?: unknown) => void} resolve */ (resolve, reject) => {
		const child = spawn('npm', ['run', 'build', '--silent'], { cwd: ROOT, env: npmChildEnv(), stdio: ['ignore', 'inherit', 'inherit'] });
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build exited ${code}`))));
	});
	log(`[pack] built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Builds, packs into `outDir` and checks the file list; returns the tarball's path and its files.
 * Build and pack hold a lock, and the tarball is renamed into place, so two suites running at
 * once never see a half-cleaned dist/ or a half-written tarball.
 */
/** @param {{ outDir?: string, log?: (line: string) => void, skipBuild?: boolean }} [options] */
async function pack({ outDir = path.join(ROOT, '.e2e', 'pack'), log = (line) => void process.stderr.write(`${line}\n`), skipBuild = false } = {}) {
	fs.mkdirSync(outDir, { recursive: true });
	const release = await lock(path.join(outDir, '.lock'), log);
	const scratch = fs.mkdtempSync(path.join(outDir, '.packing-'));
	try {
		if (!skipBuild) await build(log);
		const { stdout } = await promisify(execFile)('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], {
			cwd: ROOT,
			env: npmChildEnv(),
			maxBuffer: 16 * 1024 * 1024,
		});
		const [info] = JSON.parse(stdout);
		const files = info.files.map((file) => file.path).sort();
		const problems = checkFileList(files);
		if (problems.length > 0) throw new Error(`the packed tarball is not what n8n needs:\n  ${problems.join('\n  ')}`);
		const tgz = path.join(outDir, info.filename);
		fs.renameSync(path.join(scratch, info.filename), tgz);
		log(`[pack] ${path.relative(process.cwd(), tgz)} (${info.entryCount} files, ${(info.size / 1024).toFixed(1)} kB), file list checked`);
		return { tgz, files };
	} finally {
		fs.rmSync(scratch, { recursive: true, force: true });
		release();
	}
}

module.exports = { pack, checkFileList, requiredFiles };
