'use strict';
// Shared set-up for the end-to-end suite: which n8n versions to run, the packed tarball, a
// fresh user folder per version, and emulator helpers.
const fs = require('node:fs');
const path = require('node:path');

const { ROOT, buildAndPack } = require('../../tools/n8n-harness');
const { RUNTIMES } = require('../../tools/n8n-installer');

const ALL_VERSIONS = Object.keys(RUNTIMES);

/** FLOWELLA_E2E_N8N="2.40.7,1.123.81" (default: every pinned version; "2" or "1" pick by major). */
function selectedVersions() {
	const wanted = (process.env.FLOWELLA_E2E_N8N ?? '').split(/[\s,]+/).filter(Boolean);
	if (!wanted.length || wanted.includes('all')) return ALL_VERSIONS;
	return wanted.map((want) => {
		const match = ALL_VERSIONS.find((version) => version === want || version.split('.')[0] === want);
		if (!match) throw new Error(`FLOWELLA_E2E_N8N: ${want} is not one of ${ALL_VERSIONS.join(', ')}`);
		return match;
	});
}

let packed;
/** The tarball under test: FLOWELLA_E2E_TGZ when the runner already packed it, else build and pack once. */
function packageTarball(log) {
	if (process.env.FLOWELLA_E2E_TGZ && fs.existsSync(process.env.FLOWELLA_E2E_TGZ)) {
		return Promise.resolve(process.env.FLOWELLA_E2E_TGZ);
	}
	packed ??= buildAndPack({ log });
	return packed;
}

function freshUserFolder(version) {
	const base = path.join(ROOT, '.e2e', 'runs');
	fs.mkdirSync(base, { recursive: true });
	return fs.mkdtempSync(path.join(base, `n8n-${version}-`));
}

const keepFolders = () => process.env.FLOWELLA_E2E_KEEP === '1';

module.exports = { selectedVersions, packageTarball, freshUserFolder, keepFolders };
