#!/usr/bin/env node
'use strict';
// `node bench/profile.js`: where the Flowella node spends its time per item. Runs 3,000 upserts
// (no latency, no rate limit) through `n8n execute` in a real n8n with V8's CPU profiler on,
// then sums the self time of the profile by what it was doing. Prints a table for
// docs/engineering/profile.md. Usage: node bench/profile.js [--items 3000]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { startEmulator } = require('../emulator/server');
const { N8n, buildAndPack } = require('../tools/n8n-harness');
const { flowellaParameters, rowsToFlowella, workflowId } = require('../tools/workflows');

const KEY = 'flo_profile_key_0123456789';
const CREDENTIAL = { id: 'profileFlowella1', name: 'Flowella (profile)' };
const log = (line) => process.stderr.write(`${line}\n`);

/** What a frame's own code (self time) was doing, by a pattern on its file and function name; the first match wins. @type {[string, RegExp][]} */
const CATEGORIES = [
	['credentials (lookup, decryption, types)', /credentials|cipher|hkdf|decrypt|typeorm|sqlite/i],
	['n8n expressions (parameters such as {{ $json.phone }})', /expression|workflow-data-proxy|tmpl|riot|esprima|acorn|ast-types|recast|tournament|js-base64/i],
	['HTTP client', /axios|follow-redirects|node:_http|node:http|node:net|node:tls|_http_|form-data|proxy-from-env|request-helper|outbound|backend-network/i],
	['pacer', /node_modules\/n8n-nodes-flowella\/dist\/nodes\/Flowella\/shared\/pacer/],
	['Flowella node (other)', /node_modules\/n8n-nodes-flowella\//],
	['n8n engine (run data, paired items, hooks)', /n8n-core|n8n-workflow|@n8n\//],
	['garbage collection and V8', /^$|\(garbage collector\)|\(program\)/],
];

/** Self time by category, over the samples from the node's first frame to its last (not n8n's start-up). */
function categorize(profile) {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const inNode = new Map();
	const underFlowella = (id) => {
		if (inNode.has(id)) return inNode.get(id);
		const node = byId.get(id);
		const answer = node.callFrame.url.includes('/node_modules/n8n-nodes-flowella/') || (parent.has(id) && underFlowella(parent.get(id)));
		inNode.set(id, answer);
		return answer;
	};
	const deltas = profile.timeDeltas;
	let first = -1;
	let last = -1;
	profile.samples.forEach((id, index) => {
		if (!underFlowella(id)) return;
		if (first < 0) first = index;
		last = index;
	});
	const selfMicros = new Map();
	for (let index = first; index <= last; index++) {
		const id = profile.samples[index];
		selfMicros.set(id, (selfMicros.get(id) ?? 0) + (deltas[index + 1] ?? 0));
	}
	const totals = new Map();
	const frames = new Map();
	let all = 0;
	for (const [id, micros] of selfMicros) {
		const node = byId.get(id);
		const frame = node.callFrame;
		if (frame.functionName === '(idle)') continue;
		const label = `${frame.url} ${frame.functionName}`;
		const category = CATEGORIES.find(([, pattern]) => pattern.test(label) || pattern.test(frame.functionName))?.[0] ?? 'other (n8n CLI, Node.js)';
		totals.set(category, (totals.get(category) ?? 0) + micros);
		const where = `${category} :: ${frame.functionName || '(anonymous)'} ${frame.url.split('/node_modules/').pop()}:${frame.lineNumber + 1}`;
		frames.set(where, (frames.get(where) ?? 0) + micros);
		all += micros;
	}
	return { totals, frames, all };
}

async function main() {
	const { values } = parseArgs({ options: { items: { type: 'string', default: '3000' }, top: { type: 'string', default: '0' } } });
	const items = Number(values.items);
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flowella-profile-'));
	const emulator = await startEmulator({ apiKeys: [KEY] });
	try {
		const tgz = await buildAndPack({ log });
		const n8n = await N8n.prepare({ tgz, userFolder: path.join(work, 'n8n'), log });
		await n8n.importCredentials([{ ...CREDENTIAL, type: 'flowellaApi', data: { apiKey: KEY, baseUrl: emulator.url } }]);
		const rows = Array.from({ length: items }, (_, n) => ({ phone: `+3460${String(n).padStart(7, '0')}`, name: `Profile ${n}` }));
		const workflow = rowsToFlowella({
			id: workflowId('profileUpserts'),
			name: 'profile: upserts',
			stages: [{ name: 'Target', rows, credential: CREDENTIAL, parameters: flowellaParameters({ fields: ['name'] }) }],
		});
		await n8n.importWorkflows([workflow]);
		const profiles = path.join(work, 'profiles');
		const result = await n8n.cli(['execute', `--id=${workflow.id}`, '--rawOutput'], {
			env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profiles}` },
			timeoutMs: 15 * 60_000,
		});
		if (result.code !== 0) throw new Error(`the workflow failed:\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
		if (emulator.contacts.size !== items) throw new Error(`${emulator.contacts.size} of ${items} contacts upserted`);
		// n8n's task runner writes a profile too; the node ran in the process whose profile names it.
		const candidates = fs.readdirSync(profiles).map((file) => JSON.parse(fs.readFileSync(path.join(profiles, file), 'utf8')));
		const profile = candidates.find((candidate) => candidate.nodes.some((node) => node.callFrame.url.includes('/node_modules/n8n-nodes-flowella/')));
		if (!profile) throw new Error('no profile shows the Flowella node');
		const { totals, frames, all } = categorize(profile);
		const rowsOut = [...totals].sort((a, b) => b[1] - a[1]);
		process.stdout.write(`\nCPU profile of n8n execute, ${items} upserts (n8n ${n8n.version}), from the node's first sample to its last:\n\n`);
		process.stdout.write('| Where | Self time | Share |\n|---|---|---|\n');
		for (const [category, micros] of rowsOut) {
			process.stdout.write(`| ${category} | ${(micros / 1000).toFixed(0)} ms | ${((micros / all) * 100).toFixed(1)}% |\n`);
		}
		process.stdout.write(`| all | ${(all / 1000).toFixed(0)} ms | 100% |\n`);
		const top = [...frames].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
		for (const [where, micros] of top) process.stdout.write(`${(micros / 1000).toFixed(0).padStart(6)} ms  ${where}\n`);
	} finally {
		await emulator.close();
		fs.rmSync(work, { recursive: true, force: true });
	}
}

main().catch((error) => {
	log(error.stack ?? String(error));
	process.exit(1);
});
