#!/usr/bin/env node
'use strict';
// Writes docs/engineering/reliability.md from the results the reliability suites leave in .reliability/:
// fault-matrix.json (test/reliability/faultMatrix.test.ts), bad-input.json, secrets.json and,
// when the soak has run, soak.json (test/soak). Run the suites first, then this script.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const resultsDir = path.join(root, '.reliability');
const target = path.join(root, 'docs', 'engineering', 'reliability.md');

function read(name) {
	const file = path.join(resultsDir, name);
	return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
}

const MODE_LABELS = {
	stopWorkflow: 'Stop Workflow',
	continueRegularOutput: 'Continue',
	continueErrorOutput: 'Continue (error output)',
};
const list = (items) => items.join(', ');
const escape = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function cell(result) {
	if (!result) return 'not run';
	const parts = [];
	if (!result.passed) parts.push('**FAILED**');
	if (result.failed.length === 0) {
		parts.push(`all ${result.succeeded.length} ok`);
	} else if (result.onError === 'stopWorkflow') {
		parts.push(`stopped: item ${result.error ? /\[item (\d+)\]/.exec(result.error.message)?.[1] : '?'}`);
		if (result.succeeded.length) parts.push(`ok ${list(result.succeeded)}`);
		const alsoFailed = result.failed.filter((item) => !result.error?.message.endsWith(`[item ${item}]`));
		if (alsoFailed.length) parts.push(`also failed ${list(alsoFailed)}`);
		if (result.notRun.length) parts.push(`not sent ${list(result.notRun)}`);
	} else {
		parts.push(`ok ${list(result.succeeded)}`, `error ${list(result.failed)}`);
	}
	if (result.nodeRuns > 1) parts.push(`n8n ran node ${result.nodeRuns}×`);
	const attempts = Object.entries(result.attemptsOnFailed ?? {})
		.filter(([, count]) => count > 1)
		.map(([item, count]) => `${item}: ${count}`);
	if (attempts.length) parts.push(`sends of failed (${attempts.join(', ')})`);
	parts.push(`${result.requests} req`);
	return parts.join(' · ');
}

function matrixSection(matrix) {
	const { results } = matrix;
	const faults = [...new Map(results.map((result) => [result.faultId, result.fault])).entries()];
	const modes = [false, true].flatMap((retryOnFail) =>
		Object.keys(MODE_LABELS).map((onError) => ({ retryOnFail, onError })),
	);
	const find = (faultId, mode) =>
		results.find((result) => result.faultId === faultId && result.retryOnFail === mode.retryOnFail && result.onError === mode.onError);
	const passed = results.filter((result) => result.passed).length;
	const lines = [
		'## Fault matrix',
		'',
		`${matrix.rows} rows per run; the fault hits items ${list(matrix.targets)} (unless the fault says otherwise), Parallel Requests 5,`,
		`Retry On Fail with Max. Tries ${matrix.maxTries} and Wait Between Tries 1 ms. Every run goes through n8n-core's`,
		"`WorkflowExecute` and real HTTP to the emulator. Items are counted from 0; \"req\" is every request the emulator saw.",
		'',
		`**${passed} of ${results.length} runs passed** (generated ${matrix.generatedAt}, Node.js ${matrix.node}).`,
		'',
		'Checked in every run:',
		'- each input item gives exactly one output item, in input order, with `pairedItem` pointing at it',
		'  (Continue: one list; error output: successes and errors each in order, together every item once);',
		'  with Stop Workflow the run error names the earliest failed item;',
		'- a success item is the ContactRow Flowella stored; an error names the item, the HTTP status and',
		"  Flowella's code (or the network code), carries `httpCode`, and its description says what to do;",
		'- from the request log: every item that succeeded got exactly one successful answer and was never',
		'  sent again, not even when n8n re-ran the node; an item that failed never got a successful answer;',
		'  items a stopped run never reached were never sent;',
		'- the API key appears nowhere: outputs, the stored run, the error, its `cause`s, stacks, logs, and',
		"  the errors handed to n8n's ErrorReporter; the node itself logs nothing.",
		'',
		`| Fault | ${modes.map((mode) => `${mode.retryOnFail ? 'Retry on' : 'Retry off'}, ${MODE_LABELS[mode.onError]}`).join(' | ')} |`,
		`|---|${modes.map(() => '---').join('|')}|`,
		...faults.map(([faultId, label]) => `| ${escape(label)} | ${modes.map((mode) => escape(cell(find(faultId, mode)))).join(' | ')} |`),
		'',
		'### What the user sees',
		'',
		'The error of the Stop Workflow run (Retry On Fail off, and on when the fault outlasts it):',
		'',
		'| Fault | Retry | Message | Description |',
		'|---|---|---|---|',
	];
	for (const [faultId, label] of faults) {
		for (const retryOnFail of [false, true]) {
			const result = find(faultId, { retryOnFail, onError: 'stopWorkflow' });
			if (!result?.error) continue;
			lines.push(`| ${escape(label)} | ${retryOnFail ? 'on' : 'off'} | \`${escape(result.error.message)}\` | ${escape(result.error.description)} |`);
		}
	}
	lines.push(
		'',
		"### n8n's own Retry On Fail",
		'',
		'With Retry On Fail on, the node retries each failed request on its own (429, 5xx, network errors,',
		'timeouts, unreadable answers), so a transient fault never costs more than that request. n8n *also*',
		're-runs the whole node when it throws (Stop Workflow) or when its **first** output item is an error',
		'(both Continue modes). The cells with "n8n ran node 3×" are those re-runs: the node keeps, for that',
		'execution only, the answers of items that already reached Flowella, so the re-runs send only the',
		'failed items again — which is why an item answered 402/403/404 (never retried by the node) is sent',
		'once per n8n run, and an item in a 429 burst is sent Max. Tries × Max. Tries times. In every run the',
		'items that succeeded were sent once.',
		'',
	);
	return lines;
}

function badInputSection(badInput) {
	if (!badInput) return ['## Bad input', '', 'Not run: `npx jest test/reliability/badInput` writes it.', ''];
	return [
		'## Bad input (property-based, fast-check)',
		'',
		`Seed ${badInput.seed}. ${badInput.unit.runs.toLocaleString('en')} generated items through \`buildUpsertRequest\`: ` +
			`${badInput.unit.valid.toLocaleString('en')} valid requests, ${badInput.unit.refused.toLocaleString('en')} per-item validation errors ` +
			`(${Object.entries(badInput.unit.refusedByField)
				.map(([field, count]) => `${field} ${count}`)
				.join(', ')}), 0 crashes, 0 bodies the emulator's independent contract check refused, 0 prototype pollution.`,
		`Engine run: ${badInput.engine.rows} generated rows through n8n and the emulator: ${badInput.engine.sent} sent, ` +
			`${badInput.engine.refused} refused by the node before sending, ${badInput.engine.answered400} answered 400 by the emulator.`,
		'',
		'Generated values: wrong types (numbers, booleans, objects, lists, null, missing), strings up to',
		'20,000 characters, Unicode, emoji, right-to-left text and marks, control characters, phone-like',
		'noise, and input JSON with `__proto__`, `constructor` and `prototype` keys.',
		'',
	];
}

function secretsSection(secrets) {
	if (!secrets) return [];
	return [
		'## Secrets',
		'',
		`${secrets.paths} runs over the error paths (every fault above in three settings, a 400 that echoes the key, bad input,`,
		'wrong Base URLs, redirects, a wrong key). After each, up to ' +
			`${secrets.placesPerRun} texts were searched (outputs, the stored run, each error and \`cause\` as JSON, messages,`,
		`descriptions, stacks, every log line, every error handed to n8n's ErrorReporter): the key was found ${secrets.found} times.`,
		`Log lines written by the node: ${secrets.nodeLogLines}. The fault matrix above searches the same places in each of its runs.`,
		`Redirects ${list(secrets.redirects)} to a second loopback server: Authorization headers it received: ${secrets.authorizationForwarded}.`,
		`Non-https Base URLs refused before any request: ${list(secrets.refusedBaseUrls.map((url) => (url ? `\`${url}\`` : '(empty)')))}.`,
		'',
	];
}

function soakSection(soak) {
	if (!soak) return ['## Soak', '', 'Not run yet: `npm run test:soak` writes it.', ''];
	const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
	return [
		'## Soak',
		'',
		`${soak.items.toLocaleString('en')} items, random faults at ${soak.faultProbability * 100}% (seed ${soak.seed}; ${list(soak.faultKinds)}),`,
		`Retry On Fail on, On Error = Continue (using error output), Parallel Requests ${soak.concurrency}. Emulator in a child process.`,
		'',
		'| Measure | Value |',
		'|---|---|',
		`| Wall time of the run | ${(soak.wallMs / 1000).toFixed(1)} s (${Math.round(soak.items / (soak.wallMs / 1000))} items/s${soak.detectOpenHandles ? ", under jest's --detectOpenHandles, which hooks every async resource and slows the run about 3×" : ''}) |`,
		`| Succeeded / error items | ${soak.succeeded.toLocaleString('en')} / ${soak.errors} |`,
		`| Requests (faults injected) | ${soak.requests.toLocaleString('en')} (${soak.faultsInjected}) |`,
		`| Items with more than one successful answer | ${soak.duplicateSuccesses} |`,
		`| Heap before | ${mb(soak.heap.before)} |`,
		`| Heap peak (sampled every 50 ms) | ${mb(soak.heap.peak)} |`,
		`| Heap after, output still held | ${mb(soak.heap.afterHeld)} |`,
		`| Heap after, output released | ${mb(soak.heap.afterReleased)} |`,
		`| Unhandled rejections | ${soak.unhandledRejections} |`,
		'',
		`Node.js ${soak.node}, ${soak.cpus} CPUs, ${soak.generatedAt}. The heap is measured after a forced GC; "peak" includes garbage`,
		'not yet collected. Every item came out once (success or error output, each in input order); the request log shows',
		'no item with two successful answers and no request after an item\'s success. Open handles: jest `--detectOpenHandles` reported none.',
		'',
	];
}

function sendingMatrixSection(matrix) {
	if (!matrix) return ['## Sending fault matrix', '', 'Not run yet: `npx jest test/reliability` writes it.', ''];
	const { results } = matrix;
	const operations = [...new Set(results.map((result) => result.operation))];
	const faults = [...new Set(results.map((result) => result.fault))];
	const passed = results.filter((result) => result.passed).length;
	const lines = [
		'## Sending fault matrix',
		'',
		`${results.length} runs, ${passed} passed: ${faults.length} faults × Retry On Fail off/on × the three On Error modes × ${list(operations)},`,
		`${matrix.rows} items each, the fault on items ${list(matrix.targets)} (on the one job for Send to Many), Max. Tries ${matrix.maxTries}.`,
		'Counted from the emulator\'s handler log (every message, job and opt-out it stored). Per cell: the most times any',
		'item was stored (must be ≤ 1), items ending "may have been sent", and how many times n8n ran the node.',
		'',
	];
	for (const operation of operations) {
		lines.push(`### ${operation}`, '', `| Fault | ${[false, true].flatMap((retry) => Object.values(MODE_LABELS).map((label) => `${label}${retry ? ', retry' : ''}`)).join(' | ')} |`);
		lines.push(`|---|${'---|'.repeat(6)}`);
		for (const fault of faults) {
			const cells = [false, true].flatMap((retryOnFail) =>
				Object.keys(MODE_LABELS).map((onError) => {
					const result = results.find((entry) => entry.operation === operation && entry.fault === fault && entry.retryOnFail === retryOnFail && entry.onError === onError);
					if (!result) return 'not run';
					if (!result.passed) return '**FAILED**';
					const parts = [`stored ≤ ${result.maxStoredPerItem}`];
					if (result.maybeSent.length) parts.push(`maybe sent ${list(result.maybeSent)}`);
					if (result.nodeRuns > 1) parts.push(`n8n ran node ${result.nodeRuns}×`);
					return parts.join(' · ');
				}),
			);
			lines.push(`| ${escape(fault)} | ${cells.join(' | ')} |`);
		}
		lines.push('');
	}
	return lines;
}

function sendSoakSection(soak) {
	if (!soak) return ['## Send Text soak', '', 'Not run yet: `npm run test:soak` writes it.', ''];
	return [
		'## Send Text soak',
		'',
		`${soak.items.toLocaleString('en')} Send Text items, random faults at ${soak.faultProbability * 100}% (seed ${soak.seed}), Retry On Fail on,`,
		'On Error = Continue (using error output). Counted from the emulator\'s handler log.',
		'',
		'| Measure | Value |',
		'|---|---|',
		`| Requests (faults injected) | ${soak.requests.toLocaleString('en')} (${soak.faultsInjected}: ${Object.entries(soak.faultsByKind).map(([kind, count]) => `${kind} ${count}`).join(', ')}) |`,
		`| Sent | ${soak.sent.toLocaleString('en')} |`,
		`| Ended "may have been sent" | ${soak.maybeSent} (stored by Flowella: ${soak.maybeSentAndStoredByFlowella}; not stored: ${soak.maybeSentNotStored}) |`,
		`| Recipients messaged twice | ${soak.duplicates} |`,
		`| Wall time | ${(soak.ms / 1000).toFixed(1)} s |`,
		'',
	];
}

function main() {
	const matrix = read('fault-matrix.json');
	if (!matrix) {
		process.stderr.write('No .reliability/fault-matrix.json: run `npx jest test/reliability` first.\n');
		process.exit(1);
	}
	const lines = [
		'# Reliability',
		'',
		'Generated by `node scripts/reliability-report.js` from the last run of the reliability suites',
		'(`npx jest test/reliability`, and `npm run test:soak` for the soak). Do not edit by hand.',
		'',
		...matrixSection(matrix),
		...badInputSection(read('bad-input.json')),
		...secretsSection(read('secrets.json')),
		...soakSection(read('soak.json')),
		...sendingMatrixSection(read('sending-fault-matrix.json')),
		...sendSoakSection(read('send-text-soak.json')),
	];
	fs.writeFileSync(target, `${lines.join('\n').replace(/\n+$/, '')}\n`);
	process.stdout.write(`Wrote ${path.relative(root, target)}\n`);
}

main();
