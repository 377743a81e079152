#!/usr/bin/env node
'use strict';
// Starts the Flowella API emulator for people: `node emulator/cli.js --port 4010 --latency 50 --rate 20`.
// Sending knobs: --no-billing (402 on sends), --window-hours 24 (Meta's 24-hour rule), --job-speedup 3600.
const { parseArgs } = require('node:util');
const { startEmulator } = require('./server');

const DEMO_KEY = 'flo_demo_local_sandbox_key';

/** --retry-after none|seconds|date: how a 429 says when to come back. */
function retryAfterMode(/** @type {string | undefined} */ value) {
	if (value === 'none' || value === 'seconds' || value === 'date') return value;
	throw new Error(`--retry-after must be none, seconds or date, not ${value}`);
}

async function main() {
	const { values } = parseArgs({
		options: {
			port: { type: 'string', default: process.env.FLOWELLA_EMULATOR_PORT ?? '4010' },
			key: { type: 'string', multiple: true },
			latency: { type: 'string', default: '0' },
			rate: { type: 'string' },
			burst: { type: 'string' },
			'retry-after': { type: 'string', default: 'seconds' },
			'no-billing': { type: 'boolean', default: false },
			'window-hours': { type: 'string' },
			'job-speedup': { type: 'string', default: '3600' },
		},
	});
	const rate = values.rate ? Number(values.rate) : undefined;
	const emulator = await startEmulator({
		port: Number(values.port),
		apiKeys: values.key?.length ? values.key : [DEMO_KEY],
		latencyMs: Number(values.latency),
		rateLimit: rate ? { ratePerSec: rate, burst: Number(values.burst ?? rate), retryAfter: retryAfterMode(values['retry-after']) } : null,
		billing: !values['no-billing'],
		freeFormWindowHours: values['window-hours'] ? Number(values['window-hours']) : null,
		jobSpeedup: Number(values['job-speedup']),
	});
	process.stdout.write(
		`Flowella emulator listening on ${emulator.url}\n` +
			`API keys: ${[...emulator.apiKeys].join(', ')}\n` +
			`Request log: ${emulator.url}/__emulator/requests  Contacts: ${emulator.url}/__emulator/contacts\n` +
			`Sent: ${emulator.url}/__emulator/messages  Jobs: ${emulator.url}/__emulator/jobs  Opt-outs: ${emulator.url}/__emulator/opt-outs\n` +
			'Ctrl-C stops it.\n',
	);
	const stop = () => emulator.close().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

module.exports = { DEMO_KEY };

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error.stack ?? error}\n`);
		process.exit(1);
	});
}
