'use strict';
// Runs the shipped example workflows (examples/*.json) headless in a fresh n8n with a packed
// package installed as a community package, against what `npm start` gives them: the Flowella
// emulator seeded as the playground's (PLAYGROUND_SEED, the demo key behind the "Flowella (local
// sandbox)" credential) and the stand-in chat model with its demo script. Examples run one after
// the other in the playground's order on the one emulator, as a user clicking through them would.
// Returns what each one output (tools/example-outputs.js). Used by scripts/example-outputs.js.
const fs = require('node:fs');
const path = require('node:path');

const { startEmulator } = require('../emulator/server');
const { startChatModel, demoModel } = require('../emulator/chat-model');
const { DEMO_KEY } = require('../emulator/cli');
const { N8n, ROOT } = require('./n8n-harness');
const { readExampleFiles, SANDBOX_CREDENTIAL, PLAYGROUND_SEED } = require('./n8n-examples');
const { PLAYGROUND_MODEL, standInCredential, startedByHand, startKind } = require('./workflows');
const { recordExecution } = require('./example-outputs');

// What the AI agent example's notes tell the user to type into the chat.
const AGENT_PROMPT = 'add Ada Lovelace, +34 612 34 56 78, and welcome her';

/**
 * How each example runs under `n8n execute`: as shipped, with its trigger replaced, or not at all.
 * @returns {{ file: string, workflow?: any, runAs?: string, skipped?: string }[]}
 */
function plan() {
	return readExampleFiles().map(({ file, workflow }) => {
		const kind = startKind(workflow);
		if (kind === 'manual') return { file, workflow, runAs: 'as shipped' };
		if (kind === 'schedule' || kind === 'chat') {
			return {
				file,
				workflow: startedByHand(workflow, { prompt: AGENT_PROMPT }),
				runAs:
					kind === 'chat'
						? `Chat Trigger replaced by a Manual Trigger, the agent's prompt typed in: "${AGENT_PROMPT}"`
						: 'Schedule Trigger replaced by a Manual Trigger (n8n execute starts only Manual Triggers)',
			};
		}
		const trigger = workflow.nodes.find((/** @type {{ type: string }} */ node) => /trigger/i.test(node.type))?.type ?? 'a trigger';
		return { file, skipped: `started by ${trigger} (a webhook event); n8n execute cannot start it` };
	});
}

/**
 * @param {{ tgz: string, version?: string, log?: (line: string) => void, rawDir?: string }} options
 *   rawDir: also write each example's whole execution there, unnormalised (to see what varies).
 */
async function runExamples({ tgz, version, log = (line) => void process.stderr.write(`${line}\n`), rawDir }) {
	const steps = plan();
	const emulator = await startEmulator({ apiKeys: [DEMO_KEY] });
	emulator.seed(PLAYGROUND_SEED);
	const chatModel = await startChatModel({ apiKey: PLAYGROUND_MODEL.apiKey, script: demoModel });
	const base = path.join(ROOT, '.e2e', 'runs');
	fs.mkdirSync(base, { recursive: true });
	const userFolder = fs.mkdtempSync(path.join(base, 'example-outputs-'));
	let failed = true;
	try {
		const n8n = await N8n.prepare({ version, tgz, userFolder, log });
		await n8n.importCredentials([
			{ ...SANDBOX_CREDENTIAL, type: 'flowellaApi', data: { apiKey: DEMO_KEY, baseUrl: emulator.url } },
			standInCredential({ ...PLAYGROUND_MODEL.credential, model: chatModel }),
		]);
		await n8n.importWorkflows(steps.filter((step) => step.workflow).map((step) => step.workflow));
		/** @type {Record<string, any>} */
		const examples = {};
		for (const step of steps) {
			if (!step.workflow) continue;
			log(`[examples] ${step.file} (${step.runAs})`);
			const run = await n8n.execute(step.workflow.id);
			if (rawDir) {
				fs.mkdirSync(rawDir, { recursive: true });
				fs.writeFileSync(path.join(rawDir, step.file), `${JSON.stringify(run.execution, null, 2)}\n`);
			}
			if (run.code !== 0) log(`[examples] ${step.file}: n8n execute ended with ${run.signal ?? `exit ${run.code}`}\n${run.stderr.slice(-2000)}`);
			examples[step.file] = { runAs: step.runAs, exit: run.signal ?? run.code, ...recordExecution(run.execution) };
		}
		failed = false;
		return {
			n8n: n8n.version,
			skipped: steps.filter((step) => step.skipped).map(({ file, skipped }) => ({ file, why: skipped })),
			examples,
		};
	} finally {
		await Promise.all([emulator.close(), chatModel.close()]);
		if (failed) log(`[examples] kept the n8n folder for a look: ${userFolder}`);
		else fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

module.exports = { runExamples, plan, AGENT_PROMPT };
