#!/usr/bin/env node
'use strict';
// `npm run bench`: the Flowella node against n8n's HTTP Request node, in a real n8n, against the
// emulator. Every figure comes from this one run, so the ratios hold on a noisy machine.
// Usage: node bench/bench.js [--scale 0.2] [--only 3,6] [--tgz <packed tarball>] [--no-write]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { startEmulator } = require('../emulator/server');
const { N8n, ROOT, buildAndPack } = require('../tools/n8n-harness');
const { flowellaParameters, nodeId, rowsToFlowella, workflowId } = require('../tools/workflows');
const { DEFAULT_VERSION } = require('../tools/n8n-installer');
const { RECIPIENTS, SENDING_GROUP, measureSending, sendingLogLine, sendingScenarios, sendingTable } = require('./sending');

const KEY = 'flo_bench_key_0123456789';
const FLOWELLA_CREDENTIAL = { id: 'benchFlowella001', name: 'Flowella (bench)' };
const HEADER_CREDENTIAL = { id: 'benchHeaderAuth1', name: 'Flowella bearer header (bench)' };
const RETRY = { retryOnFail: true, maxTries: 3, waitBetweenTries: 1000 };

const log = (line) => process.stderr.write(`${line}\n`);

function rows(count) {
	return Array.from({ length: count }, (_, n) => ({ phone: `+3460${String(n).padStart(7, '0')}`, name: `Bench ${n}` }));
}

function flowellaWorkflow(name, count, options, settings) {
	return rowsToFlowella({
		id: workflowId(`bench${name}`),
		name: `bench: ${name}`,
		stages: [{ name: 'Target', rows: rows(count), credential: FLOWELLA_CREDENTIAL, parameters: flowellaParameters({ fields: ['name'], options }), settings }],
	});
}

/** The same rows through n8n's HTTP Request node, as a user would wire it by hand. */
/** The workflow's node under test, named Target. @param {import('../tools/workflows').Workflow} workflow */
function targetOf(workflow) {
	const target = workflow.nodes.find((node) => node.name === 'Target');
	if (!target) throw new Error(`${workflow.name} has no Target node`);
	return target;
}

function httpRequestWorkflow(name, count, url, batching, settings) {
	const id = workflowId(`bench${name}`);
	const workflow = rowsToFlowella({
		id,
		name: `bench: ${name}`,
		stages: [{ name: 'Target', rows: rows(count), credential: FLOWELLA_CREDENTIAL }],
	});
	const target = targetOf(workflow);
	Object.assign(target, {
		id: nodeId(id, 'Target'),
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'POST',
			url,
			authentication: 'genericCredentialType',
			genericAuthType: 'httpHeaderAuth',
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify({ phone: $json.phone, name: $json.name }) }}',
			options: batching ? { batching: { batch: { batchSize: batching.size, batchInterval: batching.intervalMs } } } : {},
		},
		credentials: { httpHeaderAuth: HEADER_CREDENTIAL },
		...settings,
	});
	return workflow;
}

/** The same upserts with the Authorization header typed into the HTTP Request node by hand (no credential). */
function httpRequestHandHeaderWorkflow(name, count, url) {
	const workflow = httpRequestWorkflow(name, count, url);
	const target = targetOf(workflow);
	delete target.credentials;
	Object.assign(target.parameters, {
		authentication: 'none',
		sendHeaders: true,
		headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${KEY}` }] },
	});
	delete target.parameters.genericAuthType;
	return workflow;
}

/** Contact → Get Many with Return All, from one input item. */
function flowellaListWorkflow(name) {
	return rowsToFlowella({
		id: workflowId(`bench${name}`),
		name: `bench: ${name}`,
		stages: [{ name: 'Target', rows: [{}], credential: FLOWELLA_CREDENTIAL, parameters: { resource: 'contact', operation: 'getAll', returnAll: true, options: {} } }],
	});
}

/** The same list through the HTTP Request node's own pagination, set up as its docs show for a cursor API. */
function httpRequestListWorkflow(name, url) {
	const workflow = httpRequestWorkflow(name, 1, url);
	const target = targetOf(workflow);
	target.parameters = {
		method: 'GET',
		url,
		authentication: 'genericCredentialType',
		genericAuthType: 'httpHeaderAuth',
		sendQuery: true,
		queryParameters: { parameters: [{ name: 'limit', value: '100' }] },
		options: {
			pagination: {
				pagination: {
					parameters: { parameters: [{ type: 'qs', name: 'cursor', value: '={{ $response.body.nextCursor }}' }] },
					paginationCompleteWhen: 'other',
					completeExpression: '={{ !$response.body.nextCursor }}',
					limitPagesFetched: true,
					maxRequests: 1000,
				},
			},
		},
	};
	return workflow;
}

// The rate-limited groups: a token bucket of 20 requests/s with 10 ms latency, in three shapes.
/** @type {Record<number, { title: string, burst: number, retryAfter: 'none' | 'seconds' | 'date', items: number }>} */
const LIMIT_SHAPES = {
	1: { title: 'burst 20 (as large as the limit), Retry-After in seconds', burst: 20, retryAfter: 'seconds', items: 1000 },
	4: { title: 'small burst (5), no Retry-After', burst: 5, retryAfter: 'none', items: 300 },
	5: { title: 'burst of 1, Retry-After in seconds', burst: 1, retryAfter: 'seconds', items: 300 },
};
const LIMIT = 20;
const LIST_LATENCY_MS = 50;

/**
 * One benchmark run: its workflow, the emulator's knobs and seed for it, and how to execute it.
 * @typedef {{ name: string, group: number, label: string, items: number, workflow: (name: string) => import('../tools/workflows').Workflow,
 *   knobs?: import('../emulator/server').EmulatorOptions, seed?: Parameters<import('../emulator/server').FlowellaEmulator['seed']>[0],
 *   execute?: (n8n: N8n, id: string, options: { timeoutMs: number }) => Promise<any>, timeoutMs?: number,
 *   [detail: string]: any }} Scenario
 */

/** @param {number} scale @param {string} emulatorUrl @returns {Scenario[]} */
function scenarios(scale, emulatorUrl) {
	const n = (count) => Math.max(20, Math.round(count * scale));
	const url = `${emulatorUrl}/api/v1/contacts`;
	const latencyBound = { latencyMs: 100, rateLimit: null };
	const overhead = { latencyMs: 0, rateLimit: null };
	const listing = { latencyMs: LIST_LATENCY_MS, rateLimit: null };
	const rateLimitedGroup = (group, withDefaultHttpRequest) => {
		const shape = LIMIT_SHAPES[group];
		const items = n(shape.items);
		const knobs = { latencyMs: 10, rateLimit: { ratePerSec: LIMIT, burst: shape.burst, retryAfter: shape.retryAfter } };
		const common = { group, knobs, items, limit: LIMIT, burst: shape.burst };
		return [
			{ ...common, label: 'Flowella node (defaults, Retry On Fail)', parallel: 5, workflow: (name) => flowellaWorkflow(name, items, {}, RETRY) },
			{ ...common, label: 'Flowella node (Parallel Requests 10, Retry On Fail)', parallel: 10, workflow: (name) => flowellaWorkflow(name, items, { concurrency: 10 }, RETRY) },
			...(withDefaultHttpRequest
				? [{ ...common, label: 'HTTP Request node (defaults, Retry On Fail)', parallel: '–', workflow: (name) => httpRequestWorkflow(name, items, url, undefined, RETRY) }]
				: []),
			// Hand-tuned to the limit: 20 a second in one batch, or one every 50 ms when the burst is smaller than that.
			shape.burst >= LIMIT
				? { ...common, label: 'HTTP Request node (batch 20 / 1,000 ms, Retry On Fail)', parallel: '–', workflow: (name) => httpRequestWorkflow(name, items, url, { size: 20, intervalMs: 1000 }, RETRY) }
				: { ...common, label: 'HTTP Request node (batch 1 / 50 ms, Retry On Fail)', parallel: '–', workflow: (name) => httpRequestWorkflow(name, items, url, { size: 1, intervalMs: 50 }, RETRY) },
		];
	};
	return [
		...rateLimitedGroup(1, true),
		{ group: 2, label: 'Flowella node, Parallel Requests 1', knobs: latencyBound, items: n(1000), baseline: true, workflow: (name) => flowellaWorkflow(name, n(1000), { concurrency: 1 }) },
		{ group: 2, label: 'Flowella node (defaults)', knobs: latencyBound, items: n(1000), workflow: (name) => flowellaWorkflow(name, n(1000), {}) },
		{ group: 2, label: 'Flowella node, Parallel Requests 10', knobs: latencyBound, items: n(1000), workflow: (name) => flowellaWorkflow(name, n(1000), { concurrency: 10 }) },
		{ group: 2, label: 'HTTP Request node (defaults)', knobs: latencyBound, items: n(1000), workflow: (name) => httpRequestWorkflow(name, n(1000), url) },
		{ group: 3, label: 'Flowella node (defaults)', knobs: overhead, items: n(5000), workflow: (name) => flowellaWorkflow(name, n(5000), {}) },
		{ group: 3, label: 'HTTP Request node (Header Auth credential)', knobs: overhead, items: n(5000), baseline: true, workflow: (name) => httpRequestWorkflow(name, n(5000), url) },
		{ group: 3, label: 'HTTP Request node (header typed in by hand)', knobs: overhead, items: n(5000), workflow: (name) => httpRequestHandHeaderWorkflow(name, n(5000), url) },
		{ group: 6, label: 'Flowella node, Contact → Get Many, Return All', knobs: listing, seed: { contacts: n(10_000) }, items: n(10_000), workflow: (name) => flowellaListWorkflow(name) },
		{ group: 6, label: 'HTTP Request node, pagination by cursor (limit=100)', knobs: listing, seed: { contacts: n(10_000) }, items: n(10_000), baseline: true, workflow: (name) => httpRequestListWorkflow(name, url) },
		...rateLimitedGroup(4, false),
		...rateLimitedGroup(5, false),
		...sendingScenarios({ count: n(RECIPIENTS), emulatorUrl, credential: FLOWELLA_CREDENTIAL, headerCredential: HEADER_CREDENTIAL }),
		// Zero-padded: workflow ids are padded to 16 characters, so "s1" and "s10" would collide.
	].map((scenario, index) => ({ ...scenario, name: `scenario${String(index + 1).padStart(2, '0')}` }));
}

function measure(scenario, result, emulator) {
	const task = result.execution?.data?.resultData?.runData?.Target?.[0];
	if (scenario.group === SENDING_GROUP) return measureSending(scenario, result, emulator);
	const ms = task?.executionTime ?? result.ms;
	if (scenario.group === 6) {
		const pages = emulator.requestsTo('GET', '/api/v1/contacts');
		const listed = (task?.data?.main?.[0] ?? []).reduce((sum, item) => sum + (Array.isArray(item.json.items) ? item.json.items.length : 1), 0);
		return { ...scenario, ms, status: result.execution?.status ?? (result.code === 0 ? 'success' : 'error'), listed, requests: pages.length };
	}
	const sent = emulator.requestsTo('POST', '/api/v1/contacts');
	const upserted = emulator.contacts.size;
	return {
		...scenario,
		ms,
		status: result.execution?.status ?? (result.code === 0 ? 'success' : 'error'),
		upserted,
		failed: scenario.items - upserted,
		requests: sent.length,
		rateLimited: sent.filter((request) => request.status === 429).length,
		achievedPerSec: (upserted * 1000) / ms,
		// The time a client needs that uses the whole burst, then every token as it comes.
		fractionOfLimit: scenario.limit ? ((scenario.items - scenario.burst) / scenario.limit) * 1000 / ms : undefined,
	};
}

/** Leaves what a failed run did in .e2e/, since the run's n8n folder is removed afterwards. */
function keepFailureTrace(scenario, result, emulator) {
	const runs = result.execution?.data?.resultData?.runData?.Target ?? [];
	const first = emulator.requests[0]?.at ?? 0;
	const trace = [
		`${scenario.label}: ${result.execution?.data?.resultData?.error?.message ?? 'no error message'}`,
		`node runs: ${runs.length}, execution times: ${runs.map((run) => run.executionTime).join(', ')}`,
		...emulator.requests.map((request) => `${request.at - first} ${request.status} ${request.body?.phone ?? ''}`),
	];
	const file = path.join(ROOT, '.e2e', `bench-failure-${scenario.name}.log`);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, `${trace.join('\n')}\n`);
	log(`[bench]    the run failed; its request log is in ${path.relative(ROOT, file)}`);
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const percent = (value) => `${(value * 100).toFixed(0)}%`;

function tables(results, context) {
	const lines = [];
	const group = (g) => results.filter((r) => r.group === g);
	const rateLimitedTable = (g) => {
		const rows = group(g);
		if (!rows.length) return;
		lines.push(`### ${g}. Rate-limited: ${LIMIT} requests/s, ${LIMIT_SHAPES[g].title}, 10 ms latency, ${rows[0].items} items`, '');
		lines.push(
			'| Node | Parallel Requests | Wall time | Fraction of the limit | Achieved req/s | Upserted | Failed | Requests seen (extra) | 429s |',
			'|---|---|---|---|---|---|---|---|---|',
		);
		for (const r of rows) {
			lines.push(
				`| ${r.label} | ${r.parallel} | ${seconds(r.ms)} | ${r.fractionOfLimit.toFixed(2)} | ${r.achievedPerSec.toFixed(1)} | ${r.upserted} | ${r.failed} | ${r.requests} (+${percent((r.requests - r.items) / r.items)}) | ${r.rateLimited} |`,
			);
		}
		lines.push('');
	};
	rateLimitedTable(1);
	for (const [g, title, unit] of [
		[2, 'Latency-bound: no rate limit, 100 ms latency', 'speed-up vs Parallel Requests 1'],
		[3, 'Overhead: no latency, no limit', 'ms per item vs HTTP Request node'],
	]) {
		const rows = group(g);
		if (!rows.length) continue;
		const baseline = rows.find((r) => r.baseline) ?? rows[0];
		lines.push(`### ${g}. ${title}, ${rows[0].items} items`, '');
		lines.push(`| Node | Wall time | ms per item | Upserted | Failed | Ratio (${unit}) |`, '|---|---|---|---|---|---|');
		for (const r of rows) {
			const ratio = g === 2 ? baseline.ms / r.ms : (r.ms / r.items) / (baseline.ms / baseline.items);
			lines.push(`| ${r.label} | ${seconds(r.ms)} | ${(r.ms / r.items).toFixed(2)} | ${r.upserted} | ${r.failed} | ${ratio.toFixed(2)}× |`);
		}
		lines.push('');
	}
	rateLimitedTable(4);
	rateLimitedTable(5);
	const lists = group(6);
	if (lists.length) {
		const pages = Math.ceil(lists[0].items / 100);
		const ideal = pages * LIST_LATENCY_MS;
		lines.push(`### 6. Return All: ${lists[0].items} contacts, pages of 100, ${LIST_LATENCY_MS} ms latency, no rate limit`, '');
		lines.push(
			`Ideal: ${pages} requests × ${LIST_LATENCY_MS} ms = ${seconds(ideal)} (the pacer adds no spacing without a limit).`,
			'',
			'| Node | Wall time | Requests | Contacts listed | Wall time ÷ ideal |',
			'|---|---|---|---|---|',
		);
		for (const r of lists) lines.push(`| ${r.label} | ${seconds(r.ms)} | ${r.requests} | ${r.listed} | ${(r.ms / ideal).toFixed(2)}× |`);
		lines.push('');
	}
	lines.push(...sendingTable(group(SENDING_GROUP), context));
	return lines.join('\n');
}

async function main() {
	const { values } = parseArgs({
		options: { scale: { type: 'string', default: '1' }, only: { type: 'string' }, tgz: { type: 'string' }, write: { type: 'boolean', default: true }, 'no-write': { type: 'boolean' } },
	});
	// --only 3,6 runs those groups (and does not rewrite docs/engineering/benchmarks.md).
	const only = values.only ? new Set(values.only.split(',').map(Number)) : undefined;
	const scale = Number(values.scale);
	const started = Date.now();
	const emulator = await startEmulator({ apiKeys: [KEY] });
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'flowella-bench-'));
	try {
		// --tgz <file>: an already packed tarball (e.g. an earlier commit's, to compare before and after a change).
		const tgz = values.tgz ? path.resolve(values.tgz) : await buildAndPack({ log });
		const n8n = await N8n.prepare({ version: DEFAULT_VERSION, tgz, userFolder, log });
		await n8n.importCredentials([
			{ ...FLOWELLA_CREDENTIAL, type: 'flowellaApi', data: { apiKey: KEY, baseUrl: emulator.url } },
			{ ...HEADER_CREDENTIAL, type: 'httpHeaderAuth', data: { name: 'Authorization', value: `Bearer ${KEY}` } },
		]);
		const list = scenarios(scale, emulator.url).filter((scenario) => !only || only.has(scenario.group));
		await n8n.importWorkflows(list.map((scenario) => scenario.workflow(scenario.name)));

		const results = [];
		for (const scenario of list) {
			emulator.reset();
			emulator.configure({ faults: [], randomFaults: null, ...scenario.knobs });
			if (scenario.seed) emulator.seed(scenario.seed);
			log(`[bench] ${scenario.group}. ${scenario.label}: ${scenario.items} items`);
			const execute = scenario.execute ?? ((_, id, options) => n8n.execute(id, options));
			const result = await execute(n8n, workflowId(`bench${scenario.name}`), { timeoutMs: scenario.timeoutMs ?? 15 * 60_000 });
			const measured = measure(scenario, result, emulator);
			if (measured.status !== 'success') keepFailureTrace(scenario, result, emulator);
			log(`[bench]    ${scenario.group === SENDING_GROUP ? sendingLogLine(measured) : `${seconds(measured.ms)}, upserted ${measured.upserted}, requests ${measured.requests}, status ${measured.status}`}`);
			results.push(measured);
		}

		const table = tables(results, only ? { separateRun: `npm run bench -- ${process.argv.slice(2).join(' ')}` } : {});
		process.stdout.write(`\n${table}\n`);
		if (values.write && !values['no-write'] && !only) {
			const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
			const doc = [
				'# Benchmarks',
				'',
				`Produced by \`npm run bench${scale === 1 ? '' : ` -- --scale ${scale}`}\` (bench/bench.js) on ${new Date().toISOString().slice(0, 10)}:`,
				`n8n ${DEFAULT_VERSION} (CLI \`n8n execute\`) with this package installed as a community package, against the`,
				'Flowella emulator on 127.0.0.1 in the benchmark process. Wall time is the node\'s own execution time as n8n',
				'records it. Every figure comes from the same run.',
				'',
				`Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}; benchmark driver Node ${process.version}.`,
				'',
				'Targets: (1) ≥ 90% of the limit, 0 failed items, < 5% extra requests; (2) ≥ 4× faster than',
				'Parallel Requests 1; (3) per-item overhead no worse than the HTTP Request node\'s. Groups 4 and 5 try other limit',
				'shapes. Retry On Fail, where on, is n8n\'s default: Max. Tries 3, Wait Between Tries 1,000 ms.',
				'"Fraction of the limit" is (items − burst) ÷ limit, the time a client needs that uses the whole burst and',
				'then every token as it comes, divided by the wall time; "extra" is requests beyond one per item (the 429s).',
				'The pacer across every limit shape (limits 5–50/s, bursts 1 to the limit, with and without Retry-After,',
				'0–150 ms latency), on virtual time, is in docs/engineering/pacing.md.',
				'',
				table,
				`Whole run: ${seconds(Date.now() - started)}.`,
				'',
			].join('\n');
			fs.writeFileSync(path.join(ROOT, 'docs', 'engineering', 'benchmarks.md'), doc);
			log('[bench] wrote docs/engineering/benchmarks.md');
		}
	} finally {
		await emulator.close();
		fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
