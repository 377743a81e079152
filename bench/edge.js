#!/usr/bin/env node
'use strict';
// A small limit at its edge, in a real n8n: the Flowella node (defaults, Retry On Fail) upserting
// rows against the emulator's token bucket. n8n's timers and request helper add the timing noise
// the virtual-time simulation models (docs/pacing.md, "Timing noise"); this shows it for real.
// Usage: node bench/edge.js [--items 300,1000] [--rate 5] [--burst 1] [--latency 150] [--runs 1]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { startEmulator } = require('../emulator/server');
const { N8n, buildAndPack } = require('../tools/n8n-harness');
const { flowellaParameters, rowsToFlowella, workflowId } = require('../tools/workflows');
const { DEFAULT_VERSION } = require('../tools/n8n-installer');

const KEY = 'flo_bench_key_0123456789';
const CREDENTIAL = { id: 'benchFlowella001', name: 'Flowella (bench)' };
// n8n's defaults for Retry On Fail.
const RETRY = { retryOnFail: true, maxTries: 3, waitBetweenTries: 1000 };

const log = (line) => process.stderr.write(`${line}\n`);

function workflow(name, count) {
	const rows = Array.from({ length: count }, (_, n) => ({ phone: `+3460${String(n).padStart(7, '0')}`, name: `Edge ${n}` }));
	return rowsToFlowella({
		id: workflowId(`edge${name}`),
		name: `edge: ${name}`,
		stages: [{ name: 'Target', rows, credential: CREDENTIAL, parameters: flowellaParameters({ fields: ['name'], options: {} }), settings: RETRY }],
	});
}

async function main() {
	const { values } = parseArgs({
		options: {
			items: { type: 'string', default: '300,1000' },
			rate: { type: 'string', default: '5' },
			burst: { type: 'string', default: '1' },
			latency: { type: 'string', default: '150' },
			runs: { type: 'string', default: '1' },
		},
	});
	const sizes = values.items.split(',').map(Number);
	const ratePerSec = Number(values.rate);
	const burst = Number(values.burst);
	const latencyMs = Number(values.latency);
	const runs = Number(values.runs);
	const emulator = await startEmulator({ apiKeys: [KEY] });
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'flowella-edge-'));
	try {
		const tgz = await buildAndPack({ log });
		const n8n = await N8n.prepare({ version: DEFAULT_VERSION, tgz, userFolder, log });
		await n8n.importCredentials([{ ...CREDENTIAL, type: 'flowellaApi', data: { apiKey: KEY, baseUrl: emulator.url } }]);
		const list = sizes.flatMap((items) => Array.from({ length: runs }, (_, run) => ({ items, name: `i${items}r${run}` })));
		await n8n.importWorkflows(list.map(({ name, items }) => workflow(name, items)));
		const lines = [
			`| Items | Run | Wall time | Fraction of the limit | Upserted | Requests | 429s (extra) |`,
			'|---|---|---|---|---|---|---|',
		];
		for (const { items, name } of list) {
			emulator.reset();
			emulator.configure({ faults: [], randomFaults: null, latencyMs, rateLimit: { ratePerSec, burst, retryAfter: 'seconds' } });
			const result = await n8n.execute(workflowId(`edge${name}`), { timeoutMs: 30 * 60_000 });
			const ms = result.execution?.data?.resultData?.runData?.Target?.[0]?.executionTime ?? result.ms;
			const sent = emulator.requestsTo('POST', '/api/v1/contacts');
			const rateLimited = sent.filter((request) => request.status === 429).length;
			const fraction = (((items - burst) / ratePerSec) * 1000) / ms;
			const line = `| ${items} | ${name} | ${(ms / 1000).toFixed(1)} s | ${fraction.toFixed(2)} | ${emulator.contacts.size} | ${sent.length} | ${rateLimited} (${((rateLimited / items) * 100).toFixed(1)}%) |`;
			log(`[edge] ${line}`);
			lines.push(line);
		}
		process.stdout.write(`\n${ratePerSec}/s, burst ${burst}, ${latencyMs} ms latency, n8n ${DEFAULT_VERSION}\n${lines.join('\n')}\n`);
	} finally {
		await emulator.close();
		fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
