#!/usr/bin/env node
'use strict';
// `node scripts/install-n8n.js [version…]`: installs (or checks) the pinned n8n versions in the
// cache, as CI does before the e2e suite; default: the newest pinned one. The installer: tools/n8n-installer.js.
const { ensureN8n, DEFAULT_VERSION } = require('../tools/n8n-installer');

const versions = process.argv.slice(2);
(async () => {
	for (const version of versions.length ? versions : [DEFAULT_VERSION]) await ensureN8n(version);
})().catch((error) => {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
