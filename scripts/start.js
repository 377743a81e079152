#!/usr/bin/env node
'use strict';
// `npm start`: the playground. Builds and packs the package, starts the Flowella emulator on
// loopback with the demo key, installs (or reuses) n8n, installs the package into n8n as a
// community package, imports a "Flowella (local sandbox)" credential and the example workflows,
// creates the owner account and starts the n8n editor. Ctrl-C stops everything it started.
//
//   npm start                      n8n 2.40.7 on http://localhost:5678, emulator on :4010
//   npm start -- --fresh           forget the playground's n8n data (workflows, executions) first
//   npm start -- --n8n 1.123.81    the playground on n8n 1.x
//   npm start -- --port 5679 --emulator-port 4011
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = path.resolve(__dirname, '..');

const say = (line = '') => process.stdout.write(`${line}\n`);
const log = (line) => process.stderr.write(`${line}\n`);

/** Installs the dev dependencies on a fresh clone (the build needs them), as `npm test` does. */
function ensureDevDependencies() {
	return new Promise(/** @param {(value?: unknown) => void} resolve */ (resolve, reject) => {
		const child = spawn(process.execPath, [path.join(__dirname, 'ensure-ready.js')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`installing dev dependencies failed (${code})`))));
	});
}

const OWNER = {
	email: process.env.FLOWELLA_PLAYGROUND_EMAIL ?? 'playground@example.com',
	password: process.env.FLOWELLA_PLAYGROUND_PASSWORD ?? 'Flowella-playground-1',
	firstName: 'Flowella',
	lastName: 'Playground',
};

async function main() {
	const { values } = parseArgs({
		options: {
			n8n: { type: 'string', default: process.env.FLOWELLA_N8N_VERSION },
			port: { type: 'string', default: process.env.FLOWELLA_PLAYGROUND_PORT ?? '5678' },
			'emulator-port': { type: 'string', default: process.env.FLOWELLA_EMULATOR_PORT ?? '4010' },
			folder: { type: 'string', default: process.env.FLOWELLA_PLAYGROUND_FOLDER ?? path.join(ROOT, '.e2e', 'playground') },
			fresh: { type: 'boolean', default: false },
		},
	});
	const started = Date.now();
	await ensureDevDependencies();
	// Loaded after the dev dependencies are in place.
	const { N8n, buildAndPack, portIsFree } = require('../tools/n8n-harness');
	const { DEFAULT_VERSION } = require('../tools/n8n-installer');
	const { readExamples, SANDBOX_CREDENTIAL, PLAYGROUND_SEED } = require('../tools/n8n-examples');
	const { startEmulator } = require('../emulator/server');
	const { DEMO_KEY } = require('../emulator/cli');
	const { PLAYGROUND_WEBHOOK } = require('../emulator/webhooks');
	const { activate } = require('../tools/n8n-trigger');

	const version = values.n8n ?? DEFAULT_VERSION;
	const port = Number(values.port);
	if (!(await portIsFree(port, '127.0.0.1')) || !(await portIsFree(port))) {
		throw new Error(`port ${port} is taken (another n8n?). Stop it, or pick another: npm start -- --port ${port + 10}`);
	}

	const stoppers = [];
	let stopping = false;
	const stopAll = async (code) => {
		if (stopping) return;
		stopping = true;
		say('\nStopping the playground…');
		for (const stop of stoppers.reverse()) {
			try {
				await stop();
			} catch (error) {
				log(`  ${error instanceof Error ? error.message : String(error)}`);
			}
		}
		say('Stopped.');
		process.exit(code);
	};
	process.on('SIGINT', () => stopAll(0));
	process.on('SIGTERM', () => stopAll(0));

	// 1. The emulator: in this process, so it lives and dies with the playground.
	let emulatorPort = Number(values['emulator-port']);
	if (!(await portIsFree(emulatorPort, '127.0.0.1'))) {
		log(`[emulator] port ${emulatorPort} is taken; using a free one`);
		emulatorPort = 0;
	}
	const emulator = await startEmulator({ port: emulatorPort, apiKeys: [DEMO_KEY], latencyMs: { min: 20, max: 60 } });
	emulator.seed(PLAYGROUND_SEED);
	stoppers.push(() => emulator.close());
	log(`[emulator] Flowella emulator on ${emulator.url}`);
	// The AI agent example's "OpenAI" model: a scripted stand-in on loopback, so it runs offline.
	const { startChatModel, demoModel } = require('../emulator/chat-model');
	const { PLAYGROUND_MODEL, standInCredential } = require('../tools/workflows');
	const chatModel = await startChatModel({ apiKey: PLAYGROUND_MODEL.apiKey, script: demoModel });
	stoppers.push(() => chatModel.close());
	log(`[emulator] stand-in chat model (OpenAI API) on ${chatModel.url}`);

	// 2. The package, packed and installed into n8n the way users install it.
	const [, tgz] = await Promise.all([require('../tools/n8n-harness').ensureN8nWithProgress(version, log), buildAndPack({ log })]);
	const userFolder = path.resolve(values.folder, `n8n-${version}`);
	if (values.fresh) fs.rmSync(userFolder, { recursive: true, force: true });
	fs.mkdirSync(userFolder, { recursive: true });
	// The playground keeps its n8n data between runs; its encryption key must stay the same.
	const keyFile = path.join(userFolder, 'playground-encryption-key');
	if (!fs.existsSync(keyFile)) fs.writeFileSync(keyFile, crypto.randomBytes(24).toString('hex'), { mode: 0o600 });
	const n8n = await N8n.prepare({
		version,
		tgz,
		userFolder,
		encryptionKey: fs.readFileSync(keyFile, 'utf8').trim(),
		log,
	});

	// 3. Credential (its Base URL follows the emulator's port) and the example workflows.
	log('[n8n] importing the "Flowella (local sandbox)" credential and the example workflows');
	await n8n.importCredentials([
		{ ...SANDBOX_CREDENTIAL, type: 'flowellaApi', data: { apiKey: DEMO_KEY, baseUrl: emulator.url } },
		{ ...PLAYGROUND_WEBHOOK.credential, type: 'flowellaWebhookApi', data: { signingSecret: PLAYGROUND_WEBHOOK.secret } },
		standInCredential({ ...PLAYGROUND_MODEL.credential, model: chatModel }),
	]);
	const examples = readExamples();
	await n8n.importWorkflows(examples);
	// The auto-reply example is active, so its Flowella Trigger listens on the production URL.
	await activate(n8n, 'flowellaExample5');

	// 4. The editor, then the owner account so it opens on a sign-in page, not a sign-up wall.
	log(`[n8n] starting n8n ${version} (about 10–20 s)`);
	const server = await n8n.start({
		port,
		host: process.env.FLOWELLA_PLAYGROUND_HOST ?? '127.0.0.1',
		echo: process.env.FLOWELLA_PLAYGROUND_VERBOSE ? (chunk) => process.stderr.write(chunk) : undefined,
		env: { WEBHOOK_URL: `http://localhost:${port}/` },
	});
	stoppers.push(() => server.stop());
	server.exited.then(({ code, signal }) => {
		if (stopping) return;
		log(`n8n exited (${code ?? signal}). Its last output:\n${server.output.slice(-4000)}`);
		stopAll(1);
	});
	const rest = server.rest();
	await rest.setupOwner(OWNER);

	const seconds = ((Date.now() - started) / 1000).toFixed(0);
	say('');
	say(`Flowella playground is running (ready in ${seconds} s)`);
	say('');
	say(`  n8n editor     ${server.url}`);
	say(`  Sign in        ${OWNER.email} / ${OWNER.password}`);
	say(`  n8n version    ${version} (community package n8n-nodes-flowella from ${path.relative(ROOT, tgz)})`);
	say(`  Credential     "${SANDBOX_CREDENTIAL.name}" → ${emulator.url}, key ${DEMO_KEY}`);
	say('  Workflows      ' + examples.map((workflow) => `"${workflow.name}"`).join('\n                 '));
	say(`  Emulator       requests ${emulator.url}/__emulator/requests  contacts ${emulator.url}/__emulator/contacts`);
	say(`  AI agent       "${PLAYGROUND_MODEL.credential.name}" → ${chatModel.url} (scripted, offline); what n8n sent it: ${chatModel.url.replace(/\/v1$/, '')}/__standin/transcript`);
	say(`  n8n data       ${userFolder} (npm start -- --fresh starts over)`);
	say(`  Trigger        "Flowella example: auto-reply…" is active on ${server.url}/webhook/${PLAYGROUND_WEBHOOK.webhookId}`);
	say(`                 send it signed events: node emulator/webhooks.js --url ${server.url}/webhook/${PLAYGROUND_WEBHOOK.webhookId}`);
	say('                 (add --count 3, --duplicates, --mode forge|stale|corrupt, --events all, or --test)');
	say('');
	say('Open a workflow, click "Execute workflow", then open the Flowella node to see the ContactRows.');
	say('Press Ctrl-C to stop n8n and the emulator.');
}

main().catch((error) => {
	log(`\nnpm start failed: ${error.stack ?? error}`);
	process.exit(1);
});
