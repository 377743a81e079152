'use strict';
// A Flowella Trigger workflow in a running n8n: activating it (2.x publishes, 1.x sets active),
// counting its executions in n8n's database, waiting for its production URL, and a recorder the
// workflow reports each event to. Used by the trigger e2e suites, the playground and
// bench/trigger-load.js; the workflow JSON itself comes from tools/workflows.
const http = require('node:http');
const path = require('node:path');

const { runCommand } = require('./n8n-harness');

/** Marks an imported workflow active; its webhooks register at the next `n8n start`. */
async function activate(n8n, workflowId) {
	const args = n8n.version.startsWith('1.') ? ['update:workflow', `--id=${workflowId}`, '--active=true'] : ['publish:workflow', `--id=${workflowId}`];
	return n8n.mustCli(args);
}

/** Rows of a query on n8n's SQLite database, read with n8n's own sqlite3 under n8n's Node. */
async function queryDatabase(n8n, sql, params = []) {
	const sqlite = path.join(n8n.runtime.dir, 'node_modules', 'sqlite3');
	const database = path.join(n8n.userFolder, '.n8n', 'database.sqlite');
	const script = `const s=require(${JSON.stringify(sqlite)});const d=new s.Database(${JSON.stringify(database)},s.OPEN_READONLY);` +
		`d.all(${JSON.stringify(sql)},${JSON.stringify(params)},(e,r)=>{if(e){console.error(e.message);process.exit(1)}process.stdout.write(JSON.stringify(r));d.close()})`;
	const result = await runCommand(n8n.runtime.node, ['-e', script], { timeoutMs: 60_000 });
	if (result.code !== 0) throw new Error(`reading n8n's database failed: ${result.stderr}`);
	return JSON.parse(result.stdout);
}

/** `{ total, byStatus }` of a workflow's executions. */
async function executionCounts(n8n, workflowId) {
	const rows = await queryDatabase(n8n, 'SELECT status, COUNT(*) AS n FROM execution_entity WHERE workflowId = ? GROUP BY status', [workflowId]);
	const byStatus = Object.fromEntries(rows.map((row) => [row.status, row.n]));
	return { total: rows.reduce((sum, row) => sum + row.n, 0), byStatus };
}

/** Polls until `read()` gives the same value twice `quietMs` apart after `ready(value)` holds, or the time is up. */
async function settle(read, ready, { timeoutMs = 60_000, quietMs = 1500 } = {}) {
	const deadline = Date.now() + timeoutMs;
	let value = await read();
	while (Date.now() < deadline) {
		if (ready(value)) {
			await new Promise((resolve) => setTimeout(resolve, quietMs));
			const again = await read();
			if (JSON.stringify(again) === JSON.stringify(value)) return value;
			value = again;
			continue;
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
		value = await read();
	}
	return value;
}

/** Waits until the production URL answers as the trigger does (401 to an unsigned POST), not n8n's 404. */
async function waitForWebhook(url, timeoutMs = 60_000, expectStatus = 401) {
	const deadline = Date.now() + timeoutMs;
	let last;
	while (Date.now() < deadline) {
		try {
			const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(5000) });
			last = `${response.status} ${(await response.text()).slice(0, 200)}`;
			if (response.status === expectStatus) return;
		} catch (error) {
			last = error instanceof Error ? error.message : String(error);
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	throw new Error(`${url} never answered like the Flowella Trigger; last answer: ${last}`);
}

/** An HTTP server on loopback that keeps every JSON body POSTed to it. */
async function startRecorder() {
	const bodies = [];
	const server = http.createServer((request, response) => {
		const chunks = [];
		request.on('data', (chunk) => chunks.push(chunk));
		request.on('end', () => {
			try {
				bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
			} catch {
				bodies.push({ unparsable: Buffer.concat(chunks).toString('utf8') });
			}
			response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
	const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
	return {
		url: `http://127.0.0.1:${port}/events`,
		bodies,
		close: () => new Promise((resolve) => server.close(resolve)),
	};
}

module.exports = {
	activate,
	executionCounts,
	settle,
	waitForWebhook,
	startRecorder,
};
