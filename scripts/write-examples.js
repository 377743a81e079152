#!/usr/bin/env node
'use strict';
// `node scripts/write-examples.js`: rewrites examples/*.json from their definitions in tools/n8n-examples.js.
const path = require('node:path');

const { writeExamples, EXAMPLES_DIR } = require('../tools/n8n-examples');

const written = writeExamples();
process.stdout.write(`wrote ${written} workflows to ${path.relative(process.cwd(), EXAMPLES_DIR) || '.'}\n`);
