'use strict';
// Scenario 4: Flowella Trigger deliveries through n8n's webhook process. Signed events (signed
// as Flowella signs them, emulator/webhooks.js), 10% of them delivered twice: half of those
// copies at the same moment as the first delivery, half right after its answer (while the
// execution it started is still queued or running on a worker). Executions counted in n8n's
// database, each one's delivery id read from the run data of the node after the trigger: that
// node must run once per distinct event, whatever executions the copies started.
//  a. one webhook process (the set-up this project recommends): the node's memory stops copies;
//  b. a second webhook process, as behind a load balancer: the first delivery to one process,
//     its copy to the other. Both processes start an execution; on the worker the trigger's step
//     records the event in n8n's shared de-duplication store and ends the second one there.
const { buildDelivery, sampleEvent, post: postDelivery } = require('../../emulator/webhooks');
const { workflowId } = require('../workflows');
const { countBy, round } = require('./measure');
const { log, sleep } = require('./processes');
const { triggerWorkflow } = require('./workflows');

const SECRET = 'whsec_queue_test_signing_secret_0123';
/**
 * Longer than Flowella's 10 s: at 50 at a time on a small machine answers take longer, and a
 * request given up on may or may not have started an execution, which would blur the count.
 * Answers over 10 s are counted (overTenSeconds): Flowella would have retried those.
 */
const ANSWER_TIMEOUT_MS = 60_000;
/** An execution started for this request: answered 200 and not as a duplicate. */
const startedBy = (answer) => answer.status === 200 && !/duplicate/.test(answer.body ?? '');

/** Flowella's back-off for a refused delivery, shortened: the retries of the harness. */
const RETRIES_AFTER_503 = [2000, 4000, 8000, 16_000, 32_000];
/** What a non-200 answer said (n8n's own refusals, e.g. 503 "Database is not ready!"), cut short. */
const refusal = (answer) => (answer.status === 200 ? undefined : `${answer.status} ${(answer.body ?? answer.error ?? '').slice(0, 120)}`);
/** n8n's database health check failing in a process: while it does, n8n answers every request 503. */
const pingFailures = (service) => (service?.output.match(/Database ping failed/g) ?? []).length;

/**
 * Posts `delivery` and records the answer in `answers`; as Flowella does, sends it again later
 * when n8n refused it (503 while its database check fails).
 */
async function sendWithRetries(answers, url, delivery, kind) {
	let answer = await postDelivery(url, delivery, { timeoutMs: ANSWER_TIMEOUT_MS });
	answers.push({ kind, deliveryId: delivery.deliveryId, status: answer.status, ms: answer.ms, started: startedBy(answer), refusal: refusal(answer) });
	for (let retry = 0; answer.status === 503 && retry < RETRIES_AFTER_503.length; retry += 1) {
		await sleep(RETRIES_AFTER_503[retry]);
		answer = await postDelivery(url, delivery, { timeoutMs: ANSWER_TIMEOUT_MS });
		answers.push({ kind: 'retry after 503', deliveryId: delivery.deliveryId, status: answer.status, ms: answer.ms, started: startedBy(answer), refusal: refusal(answer) });
	}
}

/** Runs `tasks` (functions returning promises) at most `concurrency` at a time. */
async function pool(tasks, concurrency) {
	let next = 0;
	const runners = Array.from({ length: concurrency }, async () => {
		while (next < tasks.length) await tasks[next++]();
	});
	await Promise.all(runners);
}

/**
 * Sends `count` distinct signed events to `firstUrl`; every tenth also to `copyUrl`, alternately
 * at the same moment and right after the first delivery's answer. Returns every answer with the
 * delivery it was for, and the deliveries that got a copy (for a later pass).
 */
async function deliver({ firstUrl, copyUrl, count, concurrency, prefix }) {
	const answers = [];
	const copied = [];
	// Deliveries that reached only the first process: what a later copy to the other one tests.
	const firstOnly = [];
	const send = async (url, delivery, kind) => await sendWithRetries(answers, url, delivery, kind);
	const tasks = Array.from({ length: count }, (_, index) => async () => {
		const body = sampleEvent('message.received', { phone: `+3480${String(index).padStart(7, '0')}`, text: `Event ${index}`, id: `msg_${prefix}_${index}` });
		const delivery = buildDelivery({ secret: SECRET, type: 'message.received', body, deliveryId: `dlv_${prefix}_${index}` });
		if (index % 10 === 0) firstOnly.push(delivery);
		if (index % 10 !== 5) return send(firstUrl, delivery, 'first');
		copied.push(delivery);
		if (index % 20 === 5) return Promise.all([send(firstUrl, delivery, 'first'), send(copyUrl, delivery, 'copy at once')]);
		await send(firstUrl, delivery, 'first');
		return send(copyUrl, delivery, 'copy right after');
	});
	const started = Date.now();
	await pool(tasks, concurrency);
	return { answers, copied, firstOnly, seconds: (Date.now() - started) / 1000 };
}

/**
 * Sends a copy of every delivery the other process has not seen (fresh timestamp), after the
 * executions of the first ones ended: that process's memory does not know them, n8n's shared
 * de-duplication store does.
 */
async function copyLater(sent, url, concurrency) {
	await pool(
		sent.firstOnly.map((delivery) => async () => {
			const fresh = { ...delivery, headers: { ...delivery.headers, 'x-flowella-timestamp': String(Math.floor(Date.now() / 1000)) } };
			await sendWithRetries(sent.answers, url, fresh, 'copy after the execution ended');
		}),
		concurrency,
	);
}

function percentile(values, p) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]) : null;
}

/**
 * Runs of the node after the trigger ("Process") by delivery id, from the executions' stored run
 * data, and the executions the trigger ended with no output (a copy another process held).
 */
async function downstreamRuns(cluster, id, flatted) {
	const { rows } = await cluster.db.query(
		'SELECT d.data FROM execution_data d JOIN execution_entity e ON e.id::text = d."executionId"::text WHERE e."workflowId" = $1',
		[id],
	);
	const byDelivery = new Map();
	let endedAtTrigger = 0;
	for (const row of rows) {
		const runData = flatted.parse(row.data)?.resultData?.runData ?? {};
		const processed = runData.Process?.[0]?.data?.main?.[0] ?? [];
		if (!runData.Process) endedAtTrigger += 1;
		for (const item of processed) {
			const key = item.json?.deliveryId ?? '(none)';
			byDelivery.set(key, (byDelivery.get(key) ?? 0) + 1);
		}
	}
	return { byDelivery, endedAtTrigger };
}

async function measure(cluster, workflow, flatted, distinct, sent) {
	// Every request the node answered 200 without "duplicate delivery" started an execution.
	const expected = sent.answers.filter((answer) => answer.started).length;
	const finished = await cluster.waitForExecutions([workflow.id], expected, { timeoutMs: 1_200_000, settleMs: 5000 });
	const { byDelivery, endedAtTrigger } = await downstreamRuns(cluster, workflow.id, flatted);
	const runs = [...byDelivery.values()].reduce((sum, count) => sum + count, 0);
	const copies = sent.answers.filter((answer) => answer.kind !== 'first');
	const byKind = {};
	for (const kind of new Set(copies.map((answer) => answer.kind))) {
		const ofKind = copies.filter((answer) => answer.kind === kind);
		// An event whose copy (of this kind) ran: more executions than deliveries of other kinds explain.
		byKind[kind] = { copies: ofKind.length, answeredStarted: ofKind.filter((answer) => answer.started).length };
	}
	const { rows } = await cluster.db.query('SELECT "staticData" FROM workflow_entity WHERE id = $1', [workflow.id]);
	const mirrored = Object.values(rows[0]?.staticData ?? {}).reduce((sum, node) => sum + (node?.seenDeliveries?.length ?? 0), 0);
	const firstMs = sent.answers.filter((answer) => answer.kind === 'first').map((answer) => answer.ms);
	return {
		events: distinct,
		copies: copies.length,
		copiesByKind: byKind,
		requests: sent.answers.length,
		answers: countBy(sent.answers.map((answer) => answer.status)),
		// Deliveries whose last answer was not 200 (every retry refused): Flowella would go on retrying.
		unansweredDeliveries: sent.answers.filter((answer, index) => answer.status !== 200 && !sent.answers.slice(index + 1).some((later) => later.deliveryId === answer.deliveryId && later.kind === 'retry after 503')).length,
		refusals: countBy(sent.answers.filter((answer) => answer.refusal).map((answer) => `${answer.kind}: ${answer.refusal}`)),
		sendSeconds: round(sent.seconds, 1),
		requestsPerSec: round(sent.answers.length / sent.seconds, 1),
		answerMs: { p50: percentile(firstMs, 50), p95: percentile(firstMs, 95) },
		overTenSeconds: sent.answers.filter((answer) => answer.ms > 10_000).length,
		executionsStarted: finished.length,
		executionsEndedAtTrigger: endedAtTrigger,
		executionStatuses: countBy(finished.map((row) => row.status)),
		downstreamRuns: runs,
		eventsNotRunDownstream: distinct - [...byDelivery.keys()].filter((key) => key !== '(none)').length,
		eventsRunTwiceDownstream: [...byDelivery.values()].filter((count) => count > 1).length,
		downstreamDuplicateRate: round((runs - distinct) / distinct, 4),
		keysInStaticData: mirrored,
	};
}

const trigger = {
	key: 'trigger',
	title: 'Scenario 4: Flowella Trigger deliveries through the webhook process, with replays',
	requires: ['nodes/FlowellaTrigger/FlowellaTrigger.node.ts', 'emulator/webhooks.js'],
	async setup() {
		this.credential = { id: workflowId('queueCredHook'), name: 'Flowella webhook (queue)', type: 'flowellaWebhookApi', data: { signingSecret: SECRET } };
		this.one = triggerWorkflow({ name: 'trigger one process', credential: this.credential });
		this.two = triggerWorkflow({ name: 'trigger two processes', credential: this.credential });
		return { credentials: [this.credential], workflows: [this.one, this.two], close: async () => undefined };
	},
	async run({ cluster, flatted, sizes }) {
		const result = {};
		// a. One webhook process: the first delivery and its copy reach the same process.
		const url = await cluster.webhookUrl(this.one.id);
		const sentOne = await deliver({ firstUrl: url, copyUrl: url, count: sizes.events, concurrency: sizes.eventConcurrency, prefix: 'one' });
		result.oneWebhookProcess = await measure(cluster, this.one, flatted, sizes.events, sentOne);

		// b. Two webhook processes: the copy reaches the other one.
		const second = await cluster.startExtraWebhook();
		const urlTwo = await cluster.webhookUrl(this.two.id);
		const urlTwoOther = urlTwo.replace(`:${cluster.webhookPort}/`, `:${second.port}/`);
		const sentTwo = await deliver({ firstUrl: urlTwo, copyUrl: urlTwoOther, count: sizes.crossEvents, concurrency: sizes.crossConcurrency, prefix: 'two' });
		// Once every execution so far has ended, the copies of deliveries the other process never saw.
		const startedSoFar = sentTwo.answers.filter((answer) => answer.started).length;
		await cluster.waitForExecutions([this.two.id], startedSoFar, { timeoutMs: 1_200_000, settleMs: 2000 });
		await copyLater(sentTwo, urlTwoOther, sizes.crossConcurrency);
		result.twoWebhookProcesses = await measure(cluster, this.two, flatted, sizes.crossEvents, sentTwo);
		result.twoWebhookProcesses.databasePingFailures = { webhook: pingFailures(cluster.webhook), 'webhook-2': pingFailures(second.service) };
		await second.service.stop();
		log('[queue] stopped the second webhook process');

		const a = result.oneWebhookProcess;
		const b = result.twoWebhookProcesses;
		const exactly = (r) => r.downstreamRuns === r.events && r.eventsNotRunDownstream === 0 && r.eventsRunTwiceDownstream === 0;
		const checks = [
			{ name: 'a: every delivery answered 200, at the latest when retried as Flowella retries a 503', ok: a.unansweredDeliveries === 0, hard: true },
			{ name: 'a: downstream node runs = distinct events exactly (each event once, none lost)', ok: exactly(a), hard: true },
			{ name: 'a: every execution succeeded', ok: a.executionStatuses.success === a.executionsStarted, hard: true },
			{ name: 'b: every delivery answered 200, at the latest when retried as Flowella retries a 503', ok: b.unansweredDeliveries === 0, hard: true },
			{ name: `b: downstream node runs = distinct events exactly across two webhook processes (${b.executionsStarted} executions started)`, ok: exactly(b), hard: true },
			{ name: 'b: every execution succeeded', ok: b.executionStatuses.success === b.executionsStarted, hard: true },
		];
		return { result, checks };
	},
};

module.exports = { trigger };
