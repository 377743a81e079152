'use strict';
// Figures from the emulator's request log (what Flowella saw) and from n8n's database (what
// n8n did): never from n8n's log output.

/**
 * Upserts of a set of rows, as Flowella saw them.
 * @param {any[]} requests the emulator's RecordedRequests to POST /api/v1/contacts
 * @param {string[]} phones the rows that had to be upserted
 * @param {{ ratePerSec: number, burst: number }} limit
 */
function upsertFigures(requests, phones, limit) {
	const wanted = new Set(phones);
	const mine = requests.filter((request) => wanted.has(request.body?.phone));
	const successes = new Map();
	for (const request of mine) if (request.status === 200) successes.set(request.body.phone, (successes.get(request.body.phone) ?? 0) + 1);
	const upsertedOnce = phones.filter((phone) => successes.get(phone) === 1).length;
	const missing = phones.filter((phone) => !successes.has(phone)).length;
	const twice = phones.filter((phone) => (successes.get(phone) ?? 0) > 1).length;
	const rateLimited = mine.filter((request) => request.status === 429).length;
	const otherFailures = mine.filter((request) => request.status !== 200 && request.status !== 429).length;
	const first = Math.min(...mine.map((request) => request.at));
	const lastSuccess = Math.max(...mine.filter((request) => request.status === 200).map((request) => request.answeredAt ?? request.at));
	const seconds = (lastSuccess - first) / 1000;
	// The time a client needs that uses the whole burst and then every token as it comes (docs/engineering/pacing.md).
	const idealSeconds = Math.max(0, phones.length - limit.burst) / limit.ratePerSec;
	return {
		rows: phones.length,
		requests: mine.length,
		upsertedOnce,
		missing,
		upsertedTwice: twice,
		rateLimited,
		otherFailures,
		seconds: round(seconds, 2),
		requestsPerSec: round(upsertedOnce / seconds, 1),
		fractionOfLimit: round(idealSeconds / seconds, 3),
		extraRequests: round((mine.length - phones.length) / phones.length, 4),
	};
}

function round(value, digits) {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}

/** Which process ran each execution: the "Process" node's output in its stored run data. */
async function processesOf(cluster, executions, flatted) {
	const byExecution = {};
	for (const execution of executions) {
		const data = await cluster.runData(execution.id, flatted);
		byExecution[execution.id] = data?.resultData?.runData?.Process?.[0]?.data?.main?.[0]?.[0]?.json?.process ?? null;
	}
	return byExecution;
}

/** Items on each output of a node in stored run data: [success, error]. */
function outputCounts(data, nodeName) {
	const run = data?.resultData?.runData?.[nodeName]?.[0];
	if (!run) return undefined;
	return (run.data?.main ?? []).map((items) => (items ?? []).length);
}

function countBy(values) {
	const counts = {};
	for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
	return counts;
}

module.exports = { upsertFigures, processesOf, outputCounts, countBy, round };
