#!/usr/bin/env node
'use strict';
// `node bench/trigger-load.js`: signed Flowella webhook events against the Flowella Trigger's
// production URL in a real n8n (an active workflow: Flowella Trigger → No-Op), next to n8n's own
// Webhook node (Webhook → No-Op, no checks) in the SAME n8n process, so the ratio between the
// two holds on a shared, noisy machine where the absolute figures do not.
//   baseline  1,000 distinct events to the Webhook node, 50 in flight: what n8n itself manages
//   clean     1,000 distinct signed events to the trigger: executions = events, all 2xx < 10 s
//   mixed     1,000 requests: 80% new events, 10% replays of them, 10% forged: executions = new events
// Usage: node bench/trigger-load.js [--n8n 2.40.7] [--events 1000] [--concurrency 50] [--json <file>]
//   [--pairs 2] (baseline/clean pairs, alternating, before the mixed round) [--no-baseline]
//   [--profile <dir>] (n8n's CPU profile, .cpuprofile files written when n8n exits)
//   [--n8n-env KEY=VALUE]… (extra environment for n8n, e.g. N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true)
//   [--github] (n8n's own GitHub Trigger, signed as GitHub signs, as a third contender in every pair:
//   a signed-webhook trigger of n8n's own, activated against a local stand-in for GitHub's hooks API)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { N8n, ROOT, buildAndPack, freePort, killChildrenOnSignals } = require('../tools/n8n-harness');
const { DEFAULT_VERSION } = require('../tools/n8n-installer');
const { workflowId, triggerWorkflow } = require('../tools/workflows');
const { EVENT_TYPES, buildDelivery, post, sampleEvent, tamper } = require('../emulator/webhooks');
const { activate, executionCounts, settle, waitForWebhook } = require('../tools/n8n-trigger');
const { githubDelivery, githubWorkflow, startGithubHooksApi } = require('./github-trigger');

const SECRET = 'whsec_bench_trigger_0123456789abcdef';
const WEBHOOK_ID = 'be0c4f10-11a0-4b1d-9c3a-0000000be4c1';
const BASELINE_WEBHOOK_ID = 'be0c4f10-11a0-4b1d-9c3a-0000000ba5e1';
const GITHUB_WEBHOOK_ID = 'be0c4f10-11a0-4b1d-9c3a-0000000617b1';
const FLOWELLA_TIMEOUT_MS = 10_000;
const log = (line) => process.stderr.write(`${line}\n`);

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** Runs `jobs` (functions returning promises) with at most `concurrency` in flight. */
async function pool(jobs, concurrency) {
	const results = new Array(jobs.length);
	let next = 0;
	const worker = async () => {
		while (next < jobs.length) {
			const index = next++;
			results[index] = await jobs[index]();
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
	return results;
}

function distinctDeliveries(count, tag) {
	return Array.from({ length: count }, (_, index) => {
		const type = EVENT_TYPES[index % EVENT_TYPES.length];
		// An id of its own: the emulator's template events share one, and the trigger rightly takes
		// the same type + data.id for the same event.
		const id = `bench_${tag.replace(/\W/g, '_')}_${index}`;
		return buildDelivery({ secret: SECRET, type, body: sampleEvent(type, { text: `${tag} ${index}`, id }) });
	});
}

/** A fixed shuffle, so a replay may arrive before, with or after its original. */
function shuffle(list, seed = 7) {
	let state = seed;
	const random = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
	for (let index = list.length - 1; index > 0; index -= 1) {
		const other = Math.floor(random() * (index + 1));
		[list[index], list[other]] = [list[other], list[index]];
	}
	return list;
}

async function round({ name, requests, url, concurrency, n8n, workflow, expectedNew }) {
	const before = (await executionCounts(n8n, workflow)).total;
	const loadBefore = os.loadavg()[0];
	const started = performance.now();
	const answers = await pool(requests.map(({ delivery }) => () => post(url, delivery, { timeoutMs: FLOWELLA_TIMEOUT_MS })), concurrency);
	const sendMs = performance.now() - started;
	// A request given up on at 10 s may never start an execution: wait for those answered 2xx
	// (or more), then until the count stays still.
	const answered = requests.filter(({ kind }, index) => kind === 'valid' && answers[index].status >= 200 && answers[index].status < 300).length;
	const counts = await settle(() => executionCounts(n8n, workflow), (value) => value.total - before >= Math.min(expectedNew, answered), { timeoutMs: 180_000, quietMs: 3000 });
	const executionsMs = performance.now() - started;
	const times = answers.map((answer) => answer.ms).sort((a, b) => a - b);
	const byKind = {};
	const sampleAnswers = {};
	requests.forEach(({ kind }, index) => {
		const status = answers[index].status || answers[index].error;
		sampleAnswers[status] ??= (answers[index].body ?? answers[index].error ?? '').slice(0, 300);
		byKind[kind] ??= {};
		byKind[kind][status] = (byKind[kind][status] ?? 0) + 1;
	});
	const result = {
		name,
		requests: requests.length,
		concurrency,
		expectedExecutions: expectedNew,
		executions: counts.total - before,
		executionStatuses: counts.byStatus,
		answersByKind: byKind,
		sampleAnswers,
		validAll2xx: requests.every(({ kind }, index) => kind === 'forged' || (answers[index].status >= 200 && answers[index].status < 300)),
		forgedAll401: requests.every(({ kind }, index) => kind !== 'forged' || answers[index].status === 401),
		within10s: times[times.length - 1] < FLOWELLA_TIMEOUT_MS,
		answerMs: { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), max: times[times.length - 1] },
		sendSeconds: sendMs / 1000,
		requestsPerSecond: requests.length / (sendMs / 1000),
		allExecutionsDoneSeconds: executionsMs / 1000,
		// 1-minute load average of the machine (2 cores): other people's runs share it.
		loadAverage: { before: loadBefore, after: os.loadavg()[0] },
	};
	result.ok = result.executions === expectedNew && result.validAll2xx && result.forgedAll401 && result.within10s;
	// Kept out of the JSON: for the figures pooled over every round of a contender.
	Object.defineProperty(result, 'answers', { value: answers.map(({ status, ms }) => ({ status, ms })) });
	return result;
}

function printRound(result) {
	const ms = (value) => `${value.toFixed(1)} ms`;
	log(`[bench] ${result.name}: ${result.requests} requests at ${result.concurrency} concurrent → ${result.executions} executions (expected ${result.expectedExecutions}) ${result.ok ? 'OK' : 'FAILED'}`);
	log(`[bench]   sample answers ${JSON.stringify(result.sampleAnswers)}`);
	log(`[bench]   answers ${JSON.stringify(result.answersByKind)}; p50 ${ms(result.answerMs.p50)}, p95 ${ms(result.answerMs.p95)}, p99 ${ms(result.answerMs.p99)}, max ${ms(result.answerMs.max)}`);
	log(`[bench]   ${result.requestsPerSecond.toFixed(0)} requests/s; all executions finished ${result.allExecutionsDoneSeconds.toFixed(1)} s after the first request; load average ${result.loadAverage.before.toFixed(1)} → ${result.loadAverage.after.toFixed(1)}`);
}

/** `contender` ÷ Webhook node, over the pairs run back to back in the same n8n process. */
function ratios(pairs, contender = 'trigger') {
	const sum = (list, pick) => list.reduce((total, item) => total + pick(item), 0);
	const of = (pick) => sum(pairs, (pair) => pick(pair[contender])) / sum(pairs, ({ baseline }) => pick(baseline));
	return {
		p50: of((r) => r.answerMs.p50),
		p99: of((r) => r.answerMs.p99),
		requestsPerSecond: of((r) => r.requestsPerSecond),
		allExecutionsDone: of((r) => r.allExecutionsDoneSeconds),
	};
}

/**
 * One contender's answers over all its rounds as one sample, so a load that swings between rounds
 * (other runs on the machine) weighs on every contender alike: p50/p99 of all answer times, how
 * many were a 2xx within Flowella's 10 s, and requests over the summed sending time.
 */
function pooled(pairs, contender) {
	const rounds = pairs.map((pair) => pair[contender]);
	const answers = rounds.flatMap((result) => result.answers);
	const times = answers.map(({ ms }) => ms).sort((a, b) => a - b);
	return {
		requests: answers.length,
		twoHundredWithin10s: answers.filter(({ status, ms }) => status >= 200 && status < 300 && ms < FLOWELLA_TIMEOUT_MS).length,
		executions: rounds.reduce((sum, result) => sum + result.executions, 0),
		answerMs: { p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1] },
		requestsPerSecond: answers.length / rounds.reduce((sum, result) => sum + result.sendSeconds, 0),
	};
}

/** Webhook → No-Op at /webhook/<BASELINE_WEBHOOK_ID>: n8n's own node, answering on receipt, no checks. */
function baselineWorkflow(id) {
	const flow = triggerWorkflow({ id, name: 'bench: n8n Webhook node', webhookId: BASELINE_WEBHOOK_ID, credential: { id: 'unused', name: 'unused' }, events: ['*'] });
	/** @type {any} */
	const node = { ...flow.nodes[0], type: 'n8n-nodes-base.webhook', typeVersion: 2, parameters: { httpMethod: 'POST', path: BASELINE_WEBHOOK_ID, options: {} } };
	delete node.credentials;
	flow.nodes[0] = node;
	return flow;
}

async function main() {
	const { values } = parseArgs({
		options: {
			n8n: { type: 'string', default: DEFAULT_VERSION },
			events: { type: 'string', default: '1000' },
			concurrency: { type: 'string', default: '50' },
			pairs: { type: 'string', default: '1' },
			json: { type: 'string' },
			keep: { type: 'boolean', default: false },
			'no-baseline': { type: 'boolean', default: false },
			baseline: { type: 'boolean', default: false }, // the old flag: the baseline now always runs
			profile: { type: 'string' },
			github: { type: 'boolean', default: false },
			'n8n-env': { type: 'string', multiple: true, default: [] },
		},
	});
	killChildrenOnSignals();
	const count = Number(values.events);
	const concurrency = Number(values.concurrency);
	const withBaseline = !values['no-baseline'];
	const tgz = await buildAndPack({ log });
	fs.mkdirSync(path.join(ROOT, '.e2e', 'runs'), { recursive: true }); // absent in a fresh checkout
	const userFolder = fs.mkdtempSync(path.join(ROOT, '.e2e', 'runs', `bench-trigger-${values.n8n}-`));
	const n8n = await N8n.prepare({ version: values.n8n, tgz, userFolder, log });
	const credential = { id: workflowId('credBenchHook'), name: 'Flowella webhook (bench)' };
	const workflow = workflowId('benchTrigger');
	const baselineId = workflowId('benchWebhookNode');
	const withGithub = values.github;
	const githubApi = withGithub ? await startGithubHooksApi() : undefined;
	const githubCredential = { id: workflowId('credBenchGithub'), name: 'GitHub (bench stand-in)' };
	const githubId = workflowId('benchGithubTrigger');
	await n8n.importCredentials([
		{ ...credential, type: 'flowellaWebhookApi', data: { signingSecret: SECRET } },
		...(githubApi ? [{ ...githubCredential, type: 'githubApi', data: { server: githubApi.url, user: 'bench', accessToken: 'bench-token' } }] : []),
	]);
	const flows = [triggerWorkflow({ id: workflow, name: 'bench: Flowella Trigger', webhookId: WEBHOOK_ID, credential, events: ['*'] })];
	if (withBaseline) flows.push(baselineWorkflow(baselineId));
	if (withGithub) flows.push(githubWorkflow({ id: githubId, webhookId: GITHUB_WEBHOOK_ID, credential: githubCredential }));
	await n8n.importWorkflows(flows);
	for (const flow of flows) await activate(n8n, flow.id);
	const port = await freePort();
	const url = `http://127.0.0.1:${port}/webhook/${WEBHOOK_ID}`;
	const baselineUrl = `http://127.0.0.1:${port}/webhook/${BASELINE_WEBHOOK_ID}`;
	const githubUrl = `http://127.0.0.1:${port}/webhook/${GITHUB_WEBHOOK_ID}/webhook`;
	const extraEnv = Object.fromEntries(values['n8n-env'].map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
	/** @type {Record<string, string>} */
	const env = { ...extraEnv, WEBHOOK_URL: `http://127.0.0.1:${port}/` };
	if (values.profile) {
		fs.mkdirSync(values.profile, { recursive: true });
		env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${path.resolve(values.profile)}`;
	}
	const server = await n8n.start({ port, env });
	try {
		await waitForWebhook(url, 60_000, 401);
		if (withBaseline) await waitForWebhook(baselineUrl, 60_000, 200);
		if (githubApi) {
			// An unsigned request is refused (401) once the trigger is registered; the secret shows create() ran.
			await waitForWebhook(githubUrl, 60_000, 401);
			if (!githubApi.secret()) throw new Error('GitHub Trigger was not registered: no hook was created on the stand-in API');
		}
		const pairs = [];
		for (let index = 0; index < Number(values.pairs); index += 1) {
			/** @type {[string, () => { name: string, requests: { kind: string, delivery: any }[], url: string, workflow: string }][]} */
			const contenders = [];
			if (withBaseline) {
				contenders.push(['baseline', () => ({
					name: 'baseline (n8n Webhook node)',
					requests: distinctDeliveries(count, `baseline ${index}`).map((delivery) => ({ kind: 'valid', delivery })),
					url: baselineUrl,
					workflow: baselineId,
				})]);
			}
			contenders.push(['trigger', () => ({
				name: 'clean',
				requests: distinctDeliveries(count, `clean ${index}`).map((delivery) => ({ kind: 'valid', delivery })),
				url,
				workflow,
			})]);
			if (githubApi) {
				const secret = /** @type {string} */ (githubApi.secret());
				contenders.push(['github', () => ({
					name: 'n8n GitHub Trigger (signed)',
					requests: Array.from({ length: count }, (_, n) => ({ kind: 'valid', delivery: githubDelivery(secret, `github ${index} ${n}`) })),
					url: githubUrl,
					workflow: githubId,
				})]);
			}
			// Rotated each pair, so no contender always runs on the warmer process.
			const shift = index % contenders.length;
			/** @type {Record<string, any>} */
			const pair = {};
			for (const [key, spec] of [...contenders.slice(shift), ...contenders.slice(0, shift)]) {
				pair[key] = await round({ ...spec(), concurrency, n8n, expectedNew: count });
				printRound(pair[key]);
			}
			pairs.push(pair);
		}

		const share = Math.round(count * 0.1);
		const fresh = distinctDeliveries(count - 2 * share, 'mixed');
		const requests = shuffle([
			...fresh.map((delivery) => ({ kind: 'valid', delivery })),
			...fresh.slice(0, share).map((delivery) => ({ kind: 'replay', delivery })),
			...distinctDeliveries(share, 'forged').map((delivery) => ({ kind: 'forged', delivery: tamper(delivery, 'forge') })),
		]);
		const mixed = await round({ name: 'mixed (10% replays, 10% forged)', requests, url, concurrency, n8n, workflow, expectedNew: fresh.length });
		printRound(mixed);

		const summary = {
			n8n: values.n8n,
			n8nEnv: extraEnv,
			date: new Date().toISOString(),
			cpus: os.cpus().length,
			rounds: [...pairs.flatMap((pair) => ['baseline', 'trigger', 'github'].filter((key) => pair[key]).map((key) => pair[key])), mixed],
			triggerOverWebhookNode: withBaseline ? ratios(pairs) : undefined,
			githubTriggerOverWebhookNode: withBaseline && githubApi ? ratios(pairs, 'github') : undefined,
		};
		const contenders = ['baseline', 'trigger', 'github'].filter((key) => pairs[0][key]);
		summary.pooled = Object.fromEntries(contenders.map((key) => [key, pooled(pairs, key)]));
		if (withBaseline) {
			const base = summary.pooled.baseline;
			summary.pooledOverWebhookNode = Object.fromEntries(
				contenders
					.filter((key) => key !== 'baseline')
					.map((key) => [key, { p50: summary.pooled[key].answerMs.p50 / base.answerMs.p50, p99: summary.pooled[key].answerMs.p99 / base.answerMs.p99, requestsPerSecond: summary.pooled[key].requestsPerSecond / base.requestsPerSecond }]),
			);
		}
		const rounded = (value) => JSON.stringify(value, (key, number) => (typeof number === 'number' ? Number(number.toFixed(2)) : number));
		if (withBaseline) log(`[bench] Flowella Trigger ÷ n8n Webhook node, same process: ${rounded(summary.triggerOverWebhookNode)}`);
		for (const [key, value] of Object.entries(summary.pooled)) log(`[bench] pooled ${key}: ${rounded(value)}`);
		if (summary.pooledOverWebhookNode) log(`[bench] pooled ÷ n8n Webhook node: ${rounded(summary.pooledOverWebhookNode)}`);
		if (summary.githubTriggerOverWebhookNode) log(`[bench] n8n GitHub Trigger ÷ n8n Webhook node, same process: ${rounded(summary.githubTriggerOverWebhookNode)}`);
		if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
		process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
		process.exitCode = pairs.every(({ trigger }) => trigger.ok) && mixed.ok ? 0 : 1;
	} finally {
		await server.stop();
		await githubApi?.close();
		if (!values.keep) fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

module.exports = { pool, percentile };

if (require.main === module) {
	main().catch((error) => {
		log(error.stack ?? String(error));
		process.exit(1);
	});
}
