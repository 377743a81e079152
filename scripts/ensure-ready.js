#!/usr/bin/env node
'use strict';
// Lets `npm test` and `npm start` be the first command on a fresh clone: installs the dev
// dependencies from the lock file when they are missing, and nothing otherwise.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lockFile = path.join(root, 'package-lock.json');

function installed() {
	return fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lockFile).mtimeMs - 1000;
}

// A node_modules that links to another checkout's (a git worktree sharing one install) is never
// reinstalled from here: `npm ci` would empty the folder every checkout shares.
const shared = fs.lstatSync(path.join(root, 'node_modules'), { throwIfNoEntry: false })?.isSymbolicLink() === true;

if (!shared && !installed()) {
	process.stderr.write('[setup] installing dev dependencies with npm ci (first run only)\n');
	const result = spawnSync('npm', ['ci'], { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) process.exit(result.status ?? 1);
}
