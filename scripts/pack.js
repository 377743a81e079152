#!/usr/bin/env node
'use strict';
// `npm run pack`: builds, packs into .e2e/pack/ and checks the tarball's file list (tools/pack.js),
// then prints the tarball's path. Publishing a tarball runs no lifecycle script either.
//
//   npm run pack                      build, pack into .e2e/pack/, check, print the tarball path
//   npm run pack -- --out-dir <dir>   pack elsewhere
//   npm publish <that tarball>
const path = require('node:path');
const { parseArgs } = require('node:util');

const { pack } = require('../tools/pack');

const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
pack({ outDir: values['out-dir'] && path.resolve(values['out-dir']) }).then(
	({ tgz }) => process.stdout.write(`${tgz}\n`),
	(error) => {
		process.stderr.write(`${error.message}\n`);
		process.exit(1);
	},
);
