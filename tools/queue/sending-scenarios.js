'use strict';
// Scenario 3: Message → Send Text and Template → Send to Many on workers, under faults. The
// rule (issue 8): nothing is sent twice, whatever n8n re-runs. Counted from the emulator's
// `handled` list (every send that reached Flowella's handler and changed state) and its
// duplicates() (a recipient that got the same message twice), and from n8n's database.
//  a. Send Text, On Error = continue (error output), Retry On Fail on, rate limit and faults
//     before and after Flowella handled the send;
//  b. Send Text, On Error = stop, Retry On Fail on: a send that may have reached Flowella fails
//     the node, n8n re-runs it (Max. Tries 3) on the same worker;
//  c. Template → Send to Many: one job for all rows; an answer lost after the job was created,
//     and a 429 before it;
//  d. (`kill`) the worker running a Send Text execution is SIGKILLed mid-run: what n8n does with
//     the execution, and whether anything was sent twice.
const { startEmulator } = require('../../emulator/server');
const { workflowId } = require('../workflows');
const { outputCounts, round } = require('./measure');
const { sleep, waitFor, log } = require('./processes');
const { post } = require('./sync-scenarios');
const { contactRows, sendTextWorkflow, templateWorkflow } = require('./workflows');

const KEY = 'flo_queue_send_key_0123456789';
const MESSAGES = '/api/v1/messages';
const TEMPLATES = '/api/v1/templates/send';
const REQUIRES = ['nodes/Flowella/resources/message/sendText.operation.ts', 'nodes/Flowella/resources/template/send.operation.ts', 'emulator/sending.js'];

function credential(name, emulator) {
	return { id: workflowId(`queueCred${name}`), name: `Flowella (queue ${name})`, type: 'flowellaApi', data: { apiKey: KEY, baseUrl: emulator.url } };
}

function textRows(prefix, count) {
	return contactRows(prefix, count, (n) => ({ text: `Queue test ${prefix}: your order ${n} is ready` }));
}

/** Sends per message key as Flowella handled them; sent twice = a key handled more than once. */
function sendFigures(emulator) {
	const perKey = new Map();
	for (const entry of emulator.handled) perKey.set(entry.key, (perKey.get(entry.key) ?? 0) + 1);
	return {
		handled: emulator.handled.length,
		handledTwice: [...perKey.values()].filter((count) => count > 1).length,
		duplicates: emulator.duplicates().length,
	};
}

async function startAndWait(cluster, workflow, body) {
	await post(await cluster.webhookUrl(workflow.id), body ?? {});
	const [execution] = await cluster.waitForExecutions([workflow.id], 1);
	return execution;
}

const sending = {
	key: 'sending',
	title: 'Scenario 3: Send Text and Template Send to Many on workers under faults: never twice',
	requires: REQUIRES,
	async setup({ sizes }) {
		this.sizes = sizes;
		const emulators = (this.emulators = {});
		for (const name of ['faults', 'stop', 'lost', 'late']) emulators[name] = await startEmulator({ apiKeys: [KEY], latencyMs: 5 });
		const credentials = Object.fromEntries(Object.entries(emulators).map(([name, emulator]) => [name, credential(`s${name}`, emulator)]));
		this.rows = {
			faults: textRows('7001', sizes.sendRows),
			stop: textRows('7002', 20),
			tpl: contactRows('7003', sizes.templateRows),
		};
		this.workflows = {
			faults: sendTextWorkflow({ name: 'send text faults', path: 'flowella-queue-send-faults', rows: this.rows.faults, credential: credentials.faults }),
			stop: sendTextWorkflow({ name: 'send text stop', path: 'flowella-queue-send-stop', rows: this.rows.stop, credential: credentials.stop }),
			tplLost: templateWorkflow({ name: 'template lost', path: 'flowella-queue-template-lost', rows: this.rows.tpl, credential: credentials.lost }),
			tpl429: templateWorkflow({ name: 'template 429', path: 'flowella-queue-template-429', rows: this.rows.tpl, credential: credentials.late }),
		};
		// b: On Error = stop, so a failed send fails the node and n8n's Retry On Fail re-runs it.
		const stopNode = this.workflows.stop.nodes.find((node) => node.name === 'Flowella');
		delete stopNode.onError;
		return {
			credentials: Object.values(credentials),
			workflows: Object.values(this.workflows),
			close: () => Promise.all(Object.values(emulators).map((emulator) => emulator.close())),
		};
	},
	async run({ cluster, flatted }) {
		const { emulators, rows, workflows, sizes } = this;
		const result = {};
		const checks = [];

		// a. Faults on every fifth row from row 10: before the handler (never reached Flowella) and
		// after it (Flowella sent it, the answer was lost or broken), under a rate limit.
		const shapes = [
			{ kind: 'reset', after: true },
			{ kind: 'status', status: 503, after: true },
			{ kind: 'malformed', after: true },
			{ kind: 'status', status: 500 },
		];
		const faults = [];
		rows.faults.forEach((row, index) => {
			if (index >= 10 && index % 5 === 0 && faults.length < 40) faults.push({ ...shapes[(index / 5) % shapes.length], phone: row.phone });
		});
		const after = faults.filter((fault) => fault.after).map((fault) => fault.phone);
		const before = faults.filter((fault) => !fault.after).map((fault) => fault.phone);
		emulators.faults.configure({ faults, rateLimit: { ratePerSec: sizes.sendRate, burst: 5, retryAfter: 'seconds' } });
		const faulted = await startAndWait(cluster, workflows.faults);
		const [ok = 0, failed = 0] = outputCounts(await cluster.runData(faulted.id, flatted), 'Flowella') ?? [];
		const requests = emulators.faults.requestsTo('POST', MESSAGES);
		const a = {
			rows: rows.faults.length,
			status: faulted.status,
			faultsAfterHandler: after.length,
			faultsBeforeHandler: before.length,
			requests: requests.length,
			rateLimited: requests.filter((request) => request.status === 429).length,
			successItems: ok,
			errorItems: failed,
			...sendFigures(emulators.faults),
		};
		result.sendTextFaults = a;
		checks.push(
			{ name: 'a: the execution finished (error output)', ok: faulted.status === 'success', hard: true },
			{ name: 'a: nothing sent twice', ok: a.handledTwice === 0 && a.duplicates === 0, hard: true },
			{ name: 'a: every row accounted for (success + error items = rows)', ok: ok + failed === rows.faults.length, hard: true },
			{ name: 'a: every send that reached Flowella without a lost answer is a success item', ok: ok === a.handled - after.length, hard: true },
		);

		// b. A lost answer with On Error = stop: n8n re-runs the node; the node must not send it again.
		const lost = rows.stop[5].phone;
		emulators.stop.configure({ faults: [{ kind: 'reset', after: true, phone: lost, times: 5 }] });
		const stopped = await startAndWait(cluster, workflows.stop);
		const b = {
			rows: rows.stop.length,
			status: stopped.status,
			requestsForLostRow: emulators.stop.requestsTo('POST', MESSAGES).filter((request) => request.body?.to === lost).length,
			requests: emulators.stop.requestsTo('POST', MESSAGES).length,
			...sendFigures(emulators.stop),
		};
		result.sendTextStop = b;
		checks.push(
			{ name: 'b: the execution failed', ok: stopped.status === 'error', hard: true },
			{ name: 'b: the row whose answer was lost was sent once', ok: b.requestsForLostRow === 1, hard: true },
			{ name: 'b: nothing sent twice', ok: b.handledTwice === 0 && b.duplicates === 0, hard: true },
		);

		// c. Template → Send to Many: one job. Answer lost after the job was created; a 429 before it.
		emulators.lost.configure({ faults: [{ kind: 'reset', after: true, path: TEMPLATES, times: 5 }] });
		const tplLost = await startAndWait(cluster, workflows.tplLost);
		emulators.late.configure({ faults: [{ kind: 'status', status: 429, code: 'RATE_LIMITED', retryAfter: '1', path: TEMPLATES }] });
		const tpl429 = await startAndWait(cluster, workflows.tpl429);
		const [tplItems = 0] = outputCounts(await cluster.runData(tpl429.id, flatted), 'Flowella') ?? [];
		const job = emulators.late.jobs[0];
		const c = {
			rows: rows.tpl.length,
			lostAnswer: {
				status: tplLost.status,
				requests: emulators.lost.requestsTo('POST', TEMPLATES).length,
				jobs: emulators.lost.jobs.length,
				...sendFigures(emulators.lost),
			},
			after429: {
				status: tpl429.status,
				requests: emulators.late.requestsTo('POST', TEMPLATES).length,
				jobs: emulators.late.jobs.length,
				recipients: job?.recipients.length ?? 0,
				outputItems: tplItems,
				...sendFigures(emulators.late),
			},
		};
		result.templateSendToMany = c;
		checks.push(
			{ name: 'c: lost answer: one job, never a second one', ok: c.lostAnswer.jobs === 1 && c.lostAnswer.requests === 1 && c.lostAnswer.duplicates === 0, hard: true },
			{ name: 'c: lost answer: the execution failed', ok: tplLost.status === 'error', hard: true },
			{ name: 'c: 429: retried, one job with every row', ok: tpl429.status === 'success' && c.after429.jobs === 1 && c.after429.recipients === rows.tpl.length, hard: true },
			{ name: 'c: 429: nothing sent twice', ok: c.after429.duplicates === 0 && c.after429.handledTwice === 0, hard: true },
		);
		return { result, checks };
	},
};

const killWorker = {
	key: 'kill',
	title: 'Scenario 3d: a worker SIGKILLed in the middle of a Send Text execution',
	requires: REQUIRES,
	async setup({ sizes }) {
		this.sizes = sizes;
		this.emulator = await startEmulator({ apiKeys: [KEY], latencyMs: 5 });
		this.credential = credential('skill', this.emulator);
		this.rows = textRows('7101', sizes.killRows);
		this.workflow = sendTextWorkflow({ name: 'send text kill', path: 'flowella-queue-send-kill', rows: this.rows, credential: this.credential });
		return { credentials: [this.credential], workflows: [this.workflow], close: () => this.emulator.close() };
	},
	async run({ cluster }) {
		const { emulator, rows, workflow, sizes } = this;
		const port = Number(new URL(emulator.url).port);
		emulator.configure({ rateLimit: { ratePerSec: sizes.killRate, burst: 5, retryAfter: 'seconds' } });
		const startedAt = Date.now();
		await post(await cluster.webhookUrl(workflow.id), {});
		const killAt = Math.floor(rows.length / 3);
		await waitFor(`${killAt} messages sent`, () => emulator.handled.length >= killAt, { timeoutMs: 120_000, intervalMs: 50 });
		// The worker running it is the one holding a connection to this emulator (kernel's socket table).
		const victim = await waitFor('the worker sending the messages', () => cluster.workerConnectedTo(port), { timeoutMs: 10_000, intervalMs: 20 });
		const sentBeforeKill = emulator.handled.length;
		await victim.kill();
		const killedAt = Date.now();
		const killedName = victim.processName;
		log(`[queue] SIGKILLed ${killedName} (pid ${victim.pid}) after ${sentBeforeKill} of ${rows.length} messages`);
		const sentAtKill = emulator.handled.length;

		// What n8n does with the execution: wait for a final status (or give up after a while).
		let execution;
		let finishedAfterMs;
		try {
			[execution] = await cluster.waitForExecutions([workflow.id], 1, { timeoutMs: sizes.killWaitMs });
			finishedAfterMs = Date.now() - killedAt;
		} catch {
			[execution] = await cluster.executions([workflow.id]);
		}
		// Anything another worker sends later (a re-run of the job) shows up here.
		await sleep(sizes.killSettleMs);
		const executions = await cluster.executions([workflow.id]);
		const figures = sendFigures(emulator);
		const result = {
			rows: rows.length,
			rate: sizes.killRate,
			killed: killedName,
			killedAfterSeconds: round((killedAt - startedAt) / 1000, 1),
			sentBeforeKill,
			sentAtKill,
			sentInTotal: figures.handled,
			neverSent: rows.length - new Set(emulator.handled.map((entry) => entry.key)).size,
			executions: executions.map((row) => ({ id: row.id, status: row.status, finished: row.finished, retryOf: row.retryOf, stoppedAt: row.stoppedAt })),
			statusAfterKill: execution?.status,
			markedFinalAfterSeconds: finishedAfterMs === undefined ? null : round(finishedAfterMs / 1000, 1),
			resentAfterKill: figures.handled - sentAtKill,
			handledTwice: figures.handledTwice,
			duplicates: figures.duplicates,
		};
		const restarted = await cluster.startWorker(Number(killedName.split('-')[1]));
		result.restarted = `${restarted.processName} (pid ${restarted.pid})`;
		const checks = [
			{ name: 'the worker was killed mid-execution (messages left to send)', ok: sentAtKill < rows.length, hard: true },
			{ name: 'n8n gave the execution a final status', ok: finishedAfterMs !== undefined, hard: false },
			{ name: 'nothing sent twice', ok: figures.handledTwice === 0 && figures.duplicates === 0, hard: cluster.version.startsWith('2.') },
		];
		return { result, checks };
	},
};

module.exports = { sending, killWorker };
