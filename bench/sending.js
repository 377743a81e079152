'use strict';
// Group 7 of `npm run bench` (issue 10): the same recipients messaged three ways against a
// rate-limited emulator, in one run: Template → Send to Many (one job), Message → Send Text per
// item (defaults, and with Retry On Fail), and n8n's HTTP Request node looping over POST
// /api/v1/messages (batched to the limit, and its defaults). It counts what reached the emulator
// (its `handled` log, the messages it stored) and what reached a recipient twice.
// Alone: `npm run bench -- --only 7` (add `--scale 0.02` for a quick 200-recipient check).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { parseExecuteOutput } = require('../tools/n8n-harness');
const { nodeId, rowsToFlowella, workflowId } = require('../tools/workflows');

const SENDING_GROUP = 7;
const RECIPIENTS = 10_000;
const LIMIT = 20;
/** @type {import('../emulator/server').EmulatorOptions} */
const KNOBS = { latencyMs: 10, rateLimit: { ratePerSec: LIMIT, burst: LIMIT, retryAfter: 'seconds' } };
// n8n's own values once Retry On Fail is switched on in a node's settings.
const RETRY = { retryOnFail: true, maxTries: 3, waitBetweenTries: 1000 };
const TEMPLATE_ID = 'tpl_welcome';
const CHANNEL_ID = 'ch_emulator_default';
const MESSAGES_PATH = '/api/v1/messages';
const JOBS_PATH = '/api/v1/templates/send';

/** The text every per-item way sends, so the three ways message the same people the same thing. */
const textExpression = "'Hello ' + $json.name + ', your order has shipped.'";
const sendTextParameters = { resource: 'message', operation: 'sendText', to: '={{ $json.phone }}', text: `={{ ${textExpression} }}`, options: {} };

function recipientRows(count) {
	// Numbers distinct from the other groups' contacts (+3460…), valid Spanish mobiles.
	return Array.from({ length: count }, (_, n) => ({ phone: `+3461${String(n).padStart(7, '0')}`, name: `Recipient ${n}` }));
}

function flowellaSendWorkflow(name, count, credential, parameters) {
	return rowsToFlowella({
		id: workflowId(`bench${name}`),
		name: `bench: ${name}`,
		stages: [{ name: 'Target', rows: recipientRows(count), credential, parameters }],
	});
}

/** The workflow's node under test, named Target. @param {import('../tools/workflows').Workflow} workflow */
function targetOf(workflow) {
	const target = workflow.nodes.find((node) => node.name === 'Target');
	if (!target) throw new Error(`${workflow.name} has no Target node`);
	return target;
}

/**
 * Rows → HTTP Request node, POST /messages once per item with a Header Auth credential.
 * @param {string} name
 * @param {number} count
 * @param {{ url: string, credential: { id: string, name: string }, headerCredential: { id: string, name: string },
 *   batching?: { size: number, intervalMs: number }, settings?: object }} options
 */
function httpRequestSendWorkflow(name, count, { url, credential, headerCredential, batching, settings }) {
	const workflow = flowellaSendWorkflow(name, count, credential);
	const target = targetOf(workflow);
	Object.assign(target, {
		id: nodeId(workflow.id, 'Target'),
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'POST',
			url,
			authentication: 'genericCredentialType',
			genericAuthType: 'httpHeaderAuth',
			sendBody: true,
			specifyBody: 'json',
			jsonBody: `={{ JSON.stringify({ to: $json.phone, text: ${textExpression} }) }}`,
			options: batching ? { batching: { batch: { batchSize: batching.size, batchInterval: batching.intervalMs } } } : {},
		},
		credentials: { httpHeaderAuth: headerCredential },
		...settings,
	});
	return workflow;
}

/**
 * `n8n execute --rawOutput` with stdout going to a file. n8n exits right after printing, and a
 * pipe is written asynchronously, so 10,000 items' run data (megabytes) came back cut short
 * through N8n.execute's pipe; a file is written synchronously.
 */
async function executeToFile(n8n, id, { timeoutMs }) {
	const file = path.join(n8n.userFolder, `execute-${id}.out`);
	const out = fs.openSync(file, 'w');
	const started = Date.now();
	const child = spawn(n8n.runtime.node, [n8n.runtime.n8nBin, 'execute', `--id=${id}`, '--rawOutput'], {
		cwd: n8n.userFolder,
		env: await n8n.env(),
		stdio: ['ignore', out, 'pipe'],
		detached: true,
	});
	fs.closeSync(out);
	let stderr = '';
	child.stderr?.setEncoding('utf8').on('data', (chunk) => {
		stderr += chunk;
	});
	const code = await new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			process.kill(-Number(child.pid), 'SIGKILL');
			reject(new Error(`n8n execute --id=${id} took longer than ${timeoutMs} ms`));
		}, timeoutMs);
		child.on('error', reject);
		child.on('close', (exitCode) => {
			clearTimeout(timer);
			resolve(exitCode);
		});
	});
	const stdout = fs.readFileSync(file, 'utf8');
	fs.rmSync(file, { force: true });
	const execution = parseExecuteOutput(stdout);
	if (!execution) throw new Error(`n8n execute --id=${id} printed no run data (exit ${code})\n${stdout.slice(-2000)}\n${stderr}`);
	return { code, execution, stdout: '', stderr, ms: Date.now() - started };
}

/**
 * @param {{ count: number, emulatorUrl: string, credential: { id: string, name: string },
 *   headerCredential: { id: string, name: string } }} options
 */
function sendingScenarios({ count = RECIPIENTS, emulatorUrl, credential, headerCredential }) {
	const url = `${emulatorUrl}${MESSAGES_PATH}`;
	const common = { group: SENDING_GROUP, knobs: KNOBS, items: count, execute: executeToFile };
	// A per-item way needs count ÷ limit seconds per try; allow every try of Retry On Fail, with room for a loaded machine.
	const perItemTimeoutMs = Math.ceil((count / LIMIT) * 1000 * RETRY.maxTries * 1.5) + 5 * 60_000;
	return [
		{
			...common,
			way: 'a',
			label: 'Flowella node, Template → Send to Many',
			settings: 'node defaults (one job; Flowella paces delivery)',
			path: JOBS_PATH,
			timeoutMs: 10 * 60_000,
			workflow: (name) =>
				flowellaSendWorkflow(name, count, credential, {
					resource: 'template',
					operation: 'send',
					templateId: TEMPLATE_ID,
					whatsappChannelId: CHANNEL_ID,
					phone: '={{ $json.phone }}',
					bodyParameters: { parameter: [{ value: '={{ $json.name }}' }] },
					options: {},
				}),
		},
		{
			...common,
			way: 'b',
			label: 'Flowella node, Message → Send Text per item',
			settings: 'node defaults (Parallel Requests 5; Retry On Fail off, so a 429 fails the item and stops the workflow)',
			path: MESSAGES_PATH,
			timeoutMs: perItemTimeoutMs,
			workflow: (name) => flowellaSendWorkflow(name, count, credential, sendTextParameters),
		},
		{
			...common,
			way: 'b′',
			label: 'Flowella node, Message → Send Text per item',
			settings: 'Retry On Fail (3 tries, 1,000 ms), as the README advises; otherwise defaults (Parallel Requests 5)',
			path: MESSAGES_PATH,
			timeoutMs: perItemTimeoutMs,
			workflow: (name) => {
				const workflow = flowellaSendWorkflow(name, count, credential, sendTextParameters);
				Object.assign(targetOf(workflow), RETRY);
				return workflow;
			},
		},
		{
			...common,
			way: 'c',
			baseline: true,
			label: 'HTTP Request node, POST /messages per item',
			settings: `Header Auth credential, Batching ${LIMIT} items / 1,000 ms (the limit), Retry On Fail (3 tries, 1,000 ms)`,
			path: MESSAGES_PATH,
			timeoutMs: perItemTimeoutMs,
			workflow: (name) =>
				httpRequestSendWorkflow(name, count, { url, credential, headerCredential, batching: { size: LIMIT, intervalMs: 1000 }, settings: RETRY }),
		},
		{
			...common,
			way: 'c′',
			label: 'HTTP Request node, POST /messages per item',
			settings: 'Header Auth credential, no Batching (its default), Retry On Fail (3 tries, 1,000 ms)',
			path: MESSAGES_PATH,
			timeoutMs: perItemTimeoutMs,
			workflow: (name) => httpRequestSendWorkflow(name, count, { url, credential, headerCredential, settings: RETRY }),
		},
	];
}

/** Counts one way's run from the emulator's own records; a job's recipients are expanded first. */
function measureSending(scenario, result, emulator) {
	const runs = result.execution?.data?.resultData?.runData?.Target ?? [];
	const outputs = runs[0]?.data?.main ?? [];
	const errorItems = outputs.flat().filter((item) => item?.json?.error !== undefined).length;
	emulator.settleJobs();
	const requests = emulator.requestsTo('POST', scenario.path);
	const outbound = emulator.messages.filter((message) => message.direction === 'outbound');
	const duplicates = emulator.duplicates();
	return {
		...scenario,
		ms: runs[0]?.executionTime ?? result.ms,
		status: result.execution?.status ?? (result.code === 0 ? 'success' : 'error'),
		error: result.execution?.data?.resultData?.error?.message,
		requests: requests.length,
		rateLimited: requests.filter((request) => request.status === 429).length,
		handled: emulator.handled.length,
		handledKinds: [...new Set(emulator.handled.map((entry) => entry.kind))],
		messages: outbound.length,
		recipientsReached: new Set(outbound.map((message) => message.to)).size,
		duplicateRecipients: duplicates.length,
		extraMessages: duplicates.reduce((sum, entry) => sum + entry.count - 1, 0),
		errorItems,
		// The machine's 1-minute load when the way ended: wall times are only as steady as this.
		load: os.loadavg()[0],
		// What the node handed on: one item per message, or one per job.
		outputItems: (outputs[0] ?? []).length,
	};
}

function sendingLogLine(r) {
	return `${(r.ms / 1000).toFixed(1)} s, requests ${r.requests} (429s ${r.rateLimited}), handled ${r.handled}, messages ${r.messages}, duplicates ${r.duplicateRecipients}, status ${r.status}${r.error ? ` (${r.error})` : ''}`;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const count = (value) => value.toLocaleString('en-US');
const ratio = (value, baseline) => (baseline ? `${(value / baseline).toFixed(value / baseline < 0.01 ? 4 : 2)}×` : '–');

/**
 * The group's section of docs/engineering/benchmarks.md.
 * @param {any[]} results @param {{ separateRun?: string }} [context] the command, when not part of a whole `npm run bench`
 */
function sendingTable(results, { separateRun } = {}) {
	if (!results.length) return [];
	const baseline = results.find((r) => r.baseline);
	const items = results[0].items;
	const lines = [
		`### ${SENDING_GROUP}. Sending: ${count(items)} recipients, ${LIMIT} requests/s (burst ${LIMIT}, Retry-After in seconds), 10 ms latency`,
		'',
		'The same rows (phone, name) messaged each way; "Accepted sends" is the emulator\'s `handled` log (one entry per message, or per',
		'job); "Messages" are the outbound messages it stored, a job\'s recipients included once its (compressed) pacing is settled;',
		'"Duplicates" are recipients who got the same message more than once (`duplicates()`), with the extra messages. Ratios are',
		'against (c), measured in the same run. Wall time is the node\'s execution time in n8n (all Retry On Fail tries); for (a) it',
		'ends when Flowella has accepted the job: Flowella then delivers at the job\'s throttlePerHour, which this does not time.',
		`Wall times depend on the machine's load (${os.cpus().length} cores, 1-minute load average ${Math.min(...results.map((r) => r.load)).toFixed(1)}–${Math.max(...results.map((r) => r.load)).toFixed(1)} as the ways ended); the counts do not.`,
		...(separateRun ? [`Measured on its own with \`${separateRun}\` on ${new Date().toISOString().slice(0, 10)}, not in the run above.`] : []),
		'',
		'| Way | Settings | Requests | 429s | Wall time | Accepted sends | Messages | Recipients reached | Duplicates (extra messages) | Error items | Execution | Requests ÷ (c) | Wall time ÷ (c) |',
		'|---|---|---|---|---|---|---|---|---|---|---|---|---|',
	];
	for (const r of results) {
		lines.push(
			`| (${r.way}) ${r.label} | ${r.settings} | ${count(r.requests)} | ${count(r.rateLimited)} | ${seconds(r.ms)} | ${count(r.handled)} ${r.handledKinds.length ? `(${r.handledKinds.join(', ')})` : ''} | ${count(r.messages)} | ${count(r.recipientsReached)} | ${count(r.duplicateRecipients)} (+${count(r.extraMessages)}) | ${count(r.errorItems)} | ${r.status} | ${ratio(r.requests, baseline?.requests)} | ${r.status === 'success' ? ratio(r.ms, baseline?.ms) : '– (stopped)'} |`,
		);
	}
	const failed = results.filter((r) => r.status !== 'success' && r.error);
	if (failed.length) {
		lines.push('', ...failed.map((r) => `(${r.way}) stopped with: ${r.error}`));
	}
	lines.push('');
	return lines;
}

module.exports = { SENDING_GROUP, RECIPIENTS, sendingScenarios, measureSending, sendingLogLine, sendingTable, recipientRows };
