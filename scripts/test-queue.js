#!/usr/bin/env node
'use strict';
// `npm run test:queue`: the package in a real n8n in queue mode. Starts a throwaway PostgreSQL
// and Redis on loopback (installed with apt-get when missing), then n8n (one main, two
// `n8n worker`, one `n8n webhook`, the package installed as a community package in each) and
// the Flowella emulator, runs the scenarios of docs/queue-mode.md, prints their figures and
// fails when a hard check fails. Everything is stopped and removed at the end, also on Ctrl-C.
//
//   npm run test:queue                          CI sizes, n8n 2.40.7
//   npm run test:queue -- --size full           the benchmark sizes
//   npm run test:queue -- --n8n 1.123.81        the same against n8n 1.x
//   npm run test:queue -- --only sync,shared    some scenarios (sync, shared, capped, sending, trigger, kill)
//   npm run test:queue -- --tgz <file>          test this tarball instead of building and packing
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { ROOT, buildAndPack, ensureN8nWithProgress } = require('../tools/n8n-harness');
const { DEFAULT_VERSION, RUNTIMES } = require('../tools/n8n-installer');
const { QueueCluster } = require('../tools/queue/cluster');
const { startPostgres } = require('../tools/queue/postgres');
const { startRedis } = require('../tools/queue/redis');
const { cleanUp, cleanUpOnSignals, log, onCleanUp, tempDir } = require('../tools/queue/processes');
const { SCENARIOS, SIZES } = require('../tools/queue/scenarios');
const { printReport } = require('../tools/queue/report');

async function main() {
	const { values } = parseArgs({
		options: {
			size: { type: 'string', default: 'ci' },
			n8n: { type: 'string', default: DEFAULT_VERSION },
			only: { type: 'string' },
			tgz: { type: 'string' },
			out: { type: 'string' },
		},
	});
	const sizes = SIZES[values.size];
	if (!sizes) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
	if (!RUNTIMES[values.n8n]) throw new Error(`--n8n must be one of ${Object.keys(RUNTIMES).join(', ')}`);
	const only = values.only ? values.only.split(',') : undefined;
	for (const key of only ?? []) if (!SCENARIOS.some((scenario) => scenario.key === key)) throw new Error(`--only: unknown scenario ${key}`);

	const started = Date.now();
	cleanUpOnSignals();
	const runtime = await ensureN8nWithProgress(values.n8n, log);
	const tgz = values.tgz ? path.resolve(values.tgz) : await buildAndPack({ log });
	// n8n's own copies: the PostgreSQL client and the format n8n stores run data in.
	const requireFromN8n = (name) => require(path.join(runtime.dir, 'node_modules', name));
	const pg = requireFromN8n('pg');
	const flatted = requireFromN8n('flatted');

	const selected = [];
	for (const scenario of SCENARIOS) {
		if (only && !only.includes(scenario.key)) continue;
		// A scenario whose files moved must fail loudly, never be skipped (a rename once skipped scenario 3 unnoticed).
		const missing = scenario.requires?.filter((file) => !fs.existsSync(path.join(ROOT, file))) ?? [];
		if (missing.length) throw new Error(`"${scenario.title}" needs ${missing.join(', ')}, which do not exist`);
		selected.push(scenario);
	}
	if (!selected.length) throw new Error('no scenario to run');

	const setups = [];
	for (const scenario of selected) {
		const context = { sizes, version: values.n8n };
		const setup = await scenario.setup(context);
		onCleanUp(`emulator of ${scenario.key}`, setup.close);
		setups.push(setup);
	}
	const postgres = await startPostgres({ pg });
	const redis = await startRedis();
	const cluster = new QueueCluster({ version: values.n8n, tgz, root: tempDir('flowella-queue-n8n-'), postgres, redis });
	onCleanUp('n8n', () => cluster.stop());
	await cluster.start({
		credentials: setups.flatMap((setup) => setup.credentials),
		workflows: setups.flatMap((setup) => setup.workflows),
	});
	const setupSeconds = (Date.now() - started) / 1000;

	const results = [];
	for (const scenario of selected) {
		const scenarioStarted = Date.now();
		log(`[queue] ${scenario.title}`);
		let outcome;
		try {
			const context = { cluster, flatted, sizes, version: values.n8n };
			outcome = await scenario.run(context);
		} catch (caught) {
			const error = caught instanceof Error ? caught : new Error(String(caught));
			outcome = { result: { error: error.message }, checks: [{ name: 'ran to the end', ok: false, hard: true, detail: error.stack }] };
		}
		results.push({ key: scenario.key, title: scenario.title, seconds: Math.round((Date.now() - scenarioStarted) / 100) / 10, ...outcome });
		log(`[queue] ${scenario.key} done in ${((Date.now() - scenarioStarted) / 1000).toFixed(1)} s`);
	}

	const report = { n8n: values.n8n, size: values.size, sizes, setupSeconds: Math.round(setupSeconds), results };
	await cleanUp();
	report.totalSeconds = Math.round((Date.now() - started) / 1000);
	const out = values.out ?? path.join(ROOT, '.e2e', 'queue', `queue-${values.size}-n8n-${values.n8n}.json`);
	fs.mkdirSync(path.dirname(out), { recursive: true });
	fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
	printReport(report);
	log(`[queue] figures written to ${path.relative(ROOT, out)}; total ${report.totalSeconds} s`);
	const failed = results.flatMap((result) => result.checks.filter((check) => check.hard && !check.ok));
	return failed.length ? 1 : 0;
}

main()
	.then((code) => {
		process.exitCode = code;
		// A handle nobody closed must not keep a finished run alive.
		setTimeout(() => process.exit(), 5000).unref();
	})
	.catch(async (error) => {
		log(error.stack ?? String(error));
		await cleanUp();
		process.exitCode = 1;
	});
