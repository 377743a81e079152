'use strict';
// n8n-core reads these on first use: a throwaway user folder (else it writes ~/.n8n/config)
// and a silent logger (else every expected node error prints a stack trace).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'flowella-jest-n8n-'));
}
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL ?? 'silent';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
