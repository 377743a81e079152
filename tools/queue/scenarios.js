'use strict';
// The queue-mode scenarios in the order they run, and the sizes: `ci` fits `.ci/run`'s budget
// (under 15 minutes on 2 cores with n8n cached), `full` is the benchmark (npm run test:queue -- --size full).
const { killWorker, sending } = require('./sending-scenarios');
const { fourSyncs, fourSyncsCapped, oneSync } = require('./sync-scenarios');
const { trigger } = require('./trigger-scenario');

const SIZES = {
	ci: {
		syncRows: 1000, syncRate: 100, syncBurst: 20,
		sendRows: 200, sendRate: 50, templateRows: 100,
		killRows: 300, killRate: 20, killWaitMs: 120_000, killSettleMs: 15_000,
		events: 500, crossEvents: 100, eventConcurrency: 10, crossConcurrency: 10,
	},
	full: {
		syncRows: 5000, syncRate: 20, syncBurst: 20,
		sendRows: 1000, sendRate: 50, templateRows: 1000,
		killRows: 1000, killRate: 20, killWaitMs: 180_000, killSettleMs: 30_000,
		events: 1000, crossEvents: 1000, eventConcurrency: 10, crossConcurrency: 50,
	},
	// A quick look while developing: every scenario at a few seconds' worth.
	smoke: {
		syncRows: 200, syncRate: 50, syncBurst: 10,
		sendRows: 60, sendRate: 50, templateRows: 20,
		killRows: 120, killRate: 20, killWaitMs: 120_000, killSettleMs: 10_000,
		events: 100, crossEvents: 40, eventConcurrency: 10, crossConcurrency: 10,
	},
};

/**
 * Each: { key, title, requires?: files that must exist, setup({ sizes }) → { credentials, workflows, close },
 * run({ cluster, flatted, sizes }) → { result, checks } }. The kill scenario restarts the worker it kills.
 */
const SCENARIOS = [oneSync, fourSyncs, fourSyncsCapped, sending, trigger, killWorker];

module.exports = { SCENARIOS, SIZES };
