'use strict';
// End to end: n8n's AI Agent uses the Flowella node as its tools. The packed package is installed
// into a real n8n as a community package; the agent's "OpenAI Chat Model" talks to the scripted
// stand-in (emulator/chat-model.js) through its credential's Base URL, and the Flowella tools talk
// to the Flowella emulator. Both run in this process and record what they get: the test checks what
// n8n sends the model (tool schemas, tool results) and what reaches Flowella.
// Run with `FLOWELLA_E2E_FILES=agent npm run test:e2e`.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { before } = require('node:test');

const { demoModel } = require('../emulator/chat-model');
const { ROOT } = require('../tools/n8n-harness');
const { workflowId, agentWorkflow, aiAgentExample, standInCredential, startedByHand, FLOWELLA_TOOLS, toolName } = require('../tools/workflows');
const { describeInN8n, log } = require('./lib/suite');

const KEY = 'flo_e2e_agent_key_0123456789';
const MODEL_KEY = 'sk-standin-e2e-agent';
const ADA_PROMPT = 'add Ada Lovelace, +34 612 34 56 78, and welcome her';
const WELCOME = 'Welcome to Flowella, Ada! Reply here any time.';
const ADA_PHONE = '+34612345678';
const TOOL = {
	upsert: toolName(FLOWELLA_TOOLS.upsert.name),
	sendText: toolName(FLOWELLA_TOOLS.sendText.name),
	getAll: toolName(FLOWELLA_TOOLS.getAll.name),
};
// Options the node has that a model must never be asked to fill (or be shown).
const INTERNAL_NAMES = /concurrency|parallel|timeout|apikey|api_key|baseurl|base_url|credential|emptyvalues|defaultcountrycode|channel/i;
// n8n 1.x ends the agent's run when a tool node fails, unless the node's On Error is "Continue";
// 2.x hands the error to the model by default. Both are run where they work.
/** @returns {('continueRegularOutput' | undefined)[]} */
const onErrorVariants = (/** @type {string} */ version) => (version.startsWith('1.') ? ['continueRegularOutput'] : [undefined, 'continueRegularOutput']);

function agentOutput(execution) {
	const runs = execution?.data?.resultData?.runData?.['AI Agent'];
	return runs?.[runs.length - 1]?.data?.main?.[0]?.[0]?.json?.output;
}

/** The JSON array n8n hands back to the model for one tool call. */
function parsedResult(result) {
	return JSON.parse(result.output);
}

/**
 * examples/ai-agent.json as shipped (agent, model, tools and their settings), with a Manual Trigger
 * and the prompt typed in instead of the Chat Trigger, which `n8n execute` cannot start.
 */
function playgroundExampleRunByHand(flowellaCredential, openAiCredential) {
	const workflow = startedByHand(aiAgentExample(flowellaCredential), { prompt: ADA_PROMPT });
	workflow.id = workflowId('e2eAgentExample');
	const model = workflow.nodes.find((node) => node.name === 'OpenAI Chat Model');
	if (!model?.credentials) throw new Error('the AI agent example has no OpenAI Chat Model with a credential');
	model.credentials.openAiApi = openAiCredential;
	return workflow;
}

describeInN8n(
	"Flowella as the AI Agent's tools",
	async (suite) => {
		const ON_ERROR_VARIANTS = onErrorVariants(suite.version);
		const emulator = await suite.emulator('flowella', { apiKeys: [KEY] });
		const model = await suite.chatModel('openAi', { apiKey: MODEL_KEY });
		const flowellaCredential = suite.credential('flowella', 'Flowella (e2e agent)', emulator, KEY, workflowId('credAgentFlowella'));
		const openAiCredential = { id: workflowId('credAgentOpenAi'), name: 'OpenAI stand-in (e2e)' };
		suite.credentials.openAi = standInCredential({ ...openAiCredential, model });
		const { workflows } = suite;
		const common = { n8nVersion: suite.version, flowellaCredential, openAiCredential };
		workflows.ada = agentWorkflow({ ...common, id: workflowId('e2eAgentAda'), name: 'e2e agent: add and welcome Ada', prompt: ADA_PROMPT });
		workflows.badInput = agentWorkflow({
			...common,
			id: workflowId('e2eAgentBadInput'),
			name: 'e2e agent: bad tool input (Chat Completions API)',
			prompt: 'text hello to +34 6I2 345 678',
			responsesApi: false,
			toolOnError: ON_ERROR_VARIANTS[0],
		});
		for (const onError of ON_ERROR_VARIANTS) {
			workflows[`maybeSent ${onError ?? 'default'}`] = agentWorkflow({
				...common,
				id: workflowId(`e2eAgentSent${onError ? 'Cont' : 'Dflt'}`),
				name: `e2e agent: send fails after Flowella stored it (tool On Error ${onError ?? 'default'})`,
				prompt: `welcome ${ADA_PHONE}`,
				toolOnError: onError,
			});
		}

		workflows.example = playgroundExampleRunByHand(flowellaCredential, openAiCredential);
		const ids = Object.values(workflows).map((workflow) => workflow.id);
		assert.equal(new Set(ids).size, ids.length, `workflow ids collide: ${ids.join(', ')}`);
	},
	(suite) => {
		const { version, workflows } = suite;
		const ON_ERROR_VARIANTS = onErrorVariants(version);
		const captured = {};
		/** Every request any scenario sent the model, for the key check. */
		const modelRequests = [];
		const test = (/** @type {string} */ name, /** @type {(t: import('node:test').TestContext) => unknown} */ fn) => suite.test(name, fn);
		/** @type {import('../emulator/server').FlowellaEmulator} */
		let emulator;
		before(() => {
			emulator = suite.emulators.flowella;
		});

		suite.onTearDown(() => {
			const file = path.join(ROOT, '.e2e', `agent-conversation-${version}.json`);
			fs.mkdirSync(path.dirname(file), { recursive: true });
			fs.writeFileSync(file, `${JSON.stringify(captured, null, 2)}\n`);
			log(`[e2e] n8n ${version}: recorded conversations in ${path.relative(ROOT, file)}`);
		});

		/**
		 * Runs one agent workflow with `script` as the model; returns the execution and what the model saw.
		 * @param {string} key
		 * @param {Parameters<import('../emulator/chat-model').ChatModelStandIn['setScript']>[0]} script
		 * @param {{ faults?: import('../emulator/server').Fault[], seed?: Parameters<import('../emulator/server').FlowellaEmulator['seed']>[0] }} [options]
		 */
		async function converse(key, script, { faults = [], seed } = {}) {
			const model = suite.chatModels.openAi;
			emulator.reset();
			emulator.configure({ faults });
			if (seed) emulator.seed(seed);
			model.setScript(script);
			const run = await suite.n8n.execute(workflows[key].id);
			modelRequests.push(...model.requests);
			captured[key] = {
				transcript: model.transcript(),
				tools: model.turns[0]?.tools,
				firstRequest: model.turns[0]?.body,
				flowella: emulator.requests.map(({ method, path: p, query, body, status, fault }) => ({ method, path: p, query, body, status, fault })),
				agentOutput: agentOutput(run.execution),
			};
			assert.deepEqual(model.problems, [], `the stand-in was asked something its script does not cover:\n${model.problems.join('\n')}\n${run.stderr.slice(-3000)}`);
			return { ...run, turns: model.turns };
		}

		test('"add Ada Lovelace, +34 612 34 56 78, and welcome her": one upsert, one message, the model sees both results', async () => {
			const run = await converse('ada', [
				{ toolCalls: [{ name: TOOL.upsert, arguments: { Phone: '+34 612 34 56 78', Name: 'Ada Lovelace' } }] },
				{ toolCalls: [{ name: TOOL.sendText, arguments: { To: '+34 612 34 56 78', Text: WELCOME } }] },
				(turn) => {
					const [contact] = parsedResult(turn.toolResults[0]);
					const [message] = parsedResult(turn.toolResults[1]);
					return { text: `Ada Lovelace is saved (${contact.id}) and got the welcome (${message.id}).` };
				},
			]);
			assert.equal(run.code, 0, `${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
			assert.equal(run.execution.data.resultData.error, undefined);

			assert.deepEqual(emulator.requestsTo('POST', '/api/v1/contacts').map((request) => request.body), [{ phone: ADA_PHONE, name: 'Ada Lovelace' }]);
			assert.deepEqual(emulator.requestsTo('POST', '/api/v1/messages').map((request) => request.body), [{ to: ADA_PHONE, text: WELCOME }]);
			assert.equal(emulator.requests.length, 2, 'nothing else reached Flowella');
			const [contact] = [...emulator.contacts.values()];
			assert.equal(emulator.messagesTo(ADA_PHONE).length, 1);

			// Three model turns: call Create or Update, call Send Text, answer. All over the Responses API.
			assert.deepEqual(run.turns.map((turn) => turn.api), ['responses', 'responses', 'responses']);
			assert.equal(run.turns[0].userText, ADA_PROMPT);
			const results = run.turns[2].toolResults;
			assert.deepEqual(results.map((result) => result.name), [TOOL.upsert, TOOL.sendText]);
			assert.deepEqual(parsedResult(results[0]), [{ ...contact }]);
			const [message] = parsedResult(results[1]);
			assert.equal(message.id, emulator.messagesTo(ADA_PHONE)[0].id);
			assert.equal(message.contactId, contact.id);
			assert.equal(agentOutput(run.execution), `Ada Lovelace is saved (${contact.id}) and got the welcome (${message.id}).`);
		});

		test('bad tool input comes back to the model as a readable error, nothing is sent, the run goes on (Chat Completions API)', async () => {
			const longText = 'x'.repeat(5000);
			const run = await converse(
				'badInput',
				[
					{ toolCalls: [{ name: TOOL.sendText, arguments: { To: '+34 6I2 345 678', Text: 'hello' } }] },
					{ toolCalls: [{ name: TOOL.upsert, arguments: { Phone: '+34 612 ABC 678', Name: 'Ada Lovelace' } }] },
					{ toolCalls: [{ name: TOOL.sendText, arguments: { To: ADA_PHONE, Text: longText } }] },
					{ toolCalls: [{ name: TOOL.getAll, arguments: { Limit: 2 } }] },
					(turn) => ({ text: `Could not do it: ${turn.toolResults.slice(0, 3).map((result) => parsedResult(result)[0].error).join(' | ')}` }),
				],
				{ seed: { contacts: 3 } },
			);
			assert.equal(run.code, 0, `${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
			assert.equal(run.execution.data.resultData.error, undefined, 'the agent run does not fail');
			assert.deepEqual(run.turns.map((turn) => turn.api), ['chat', 'chat', 'chat', 'chat', 'chat']);

			// Nothing was sent or stored; only the Get Many read reached Flowella.
			assert.deepEqual(emulator.requests.map((request) => `${request.method} ${request.path}`), ['GET /api/v1/contacts']);
			assert.equal(emulator.requests[0].query.limit, '2');

			const results = run.turns[4].toolResults;
			assert.deepEqual(results.map((result) => result.name), [TOOL.sendText, TOOL.upsert, TOOL.sendText, TOOL.getAll]);
			const [badTo, badPhone, tooLong] = results.slice(0, 3).map((result) => parsedResult(result));
			for (const answer of [badTo, badPhone, tooLong]) {
				assert.equal(answer.length, 1);
				// The node's error item: what is wrong (error), and what to do when there is advice (message).
				assert.equal(typeof answer[0].error, 'string');
				assert.deepEqual(Object.keys(answer[0]).filter((field) => field !== 'error' && field !== 'message'), []);
			}
			// Each says which field, what was wrong with it, so the model can correct the call.
			assert.match(badTo[0].error, /\bTo\b/);
			assert.match(badTo[0].error, /6I2/);
			assert.match(badPhone[0].error, /\bPhone\b/);
			assert.match(badPhone[0].error, /ABC/);
			assert.match(tooLong[0].error, /\bText\b/);
			assert.match(tooLong[0].error, /5000|5,000/);
			assert.match(tooLong[0].error, /4096|4,096/);
			assert.ok(tooLong[0].error.length < 1000, 'the 5,000 characters are not echoed back whole');
			assert.equal(parsedResult(results[3]).length, 2, 'Get Many returned the two contacts asked for');
			assert.match(agentOutput(run.execution), /^Could not do it: /);
		});

		/** @type {[string, import('../emulator/server').Fault][]} */
		const lostAnswers = [
			['a 500 after Flowella stored it', { kind: 'status', status: 500, after: true, path: '/api/v1/messages' }],
			['a connection reset after Flowella stored it', { kind: 'reset', after: true, path: '/api/v1/messages' }],
		];
		for (const [label, fault] of lostAnswers) {
			for (const onError of ON_ERROR_VARIANTS) {
			test(`Send Text with ${label} (tool On Error ${onError ?? 'default'}): the model is told it may have been sent and not to send it again blindly; sent once`, async () => {
				const key = `maybeSent ${onError ?? 'default'}`;
				const run = await converse(
					key,
					[{ toolCalls: [{ name: TOOL.sendText, arguments: { To: ADA_PHONE, Text: WELCOME } }] }, (turn) => ({ text: `Tool said: ${parsedResult(turn.lastResult)[0].error}` })],
					{ faults: [{ ...fault }] },
				);
				captured[`${key} ${fault.kind}`] = captured[key];
				assert.equal(run.code, 0, `${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
				assert.equal(run.execution.data.resultData.error, undefined);
				assert.equal(emulator.requestsTo('POST', '/api/v1/messages').length, 1, 'not retried');
				assert.equal(emulator.handled.filter((entry) => entry.kind === 'message').length, 1, 'Flowella stored it once');
				const [answer] = parsedResult(run.turns[1].toolResults[0]);
				const told = `${answer.error} ${answer.message ?? ''}`;
				assert.match(answer.error, /may have been sent/i);
				// What the model reads must discourage a blind retry, not only report that none was made.
				assert.match(told, /before sending it again|do not send it again|not send it again/i, `the model read: ${told}`);
			});
			}
		}

		test('the playground\'s example with its demo model: the same one upsert and one message', async () => {
			const run = await converse('example', demoModel);
			assert.equal(run.code, 0, `${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
			assert.deepEqual(emulator.requests.map((request) => `${request.method} ${request.path}`), ['POST /api/v1/contacts', 'POST /api/v1/messages']);
			assert.deepEqual(emulator.requests[0].body, { phone: ADA_PHONE, name: 'Ada Lovelace' });
			assert.deepEqual(emulator.requests[1].body, { to: ADA_PHONE, text: 'Welcome, Ada! Thanks for joining us on WhatsApp.' });
			assert.match(run.turns[0].systemText, /may have been sent, do not send it again/);
			const [message] = [...emulator.messages];
			assert.equal(agentOutput(run.execution), `Ada Lovelace (${ADA_PHONE}) is saved in Flowella as ${message.contactId}. The welcome message ${message.id} is on its way (conversation ${message.conversationId}).`);
		});

		test('the tool schemas n8n sends: names, types, descriptions, all required, nothing internal, no key', () => {
			const tools = captured.ada?.tools;
			assert.ok(tools, 'the Ada conversation ran first');
			const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
			assert.deepEqual(Object.keys(byName).sort(), [TOOL.getAll, TOOL.upsert, TOOL.sendText].sort());
			// With "Tool Description: Set Automatically" n8n describes the tool by the operation's action.
			assert.equal(byName[TOOL.upsert].description, 'Create or update a contact in Flowella');
			assert.equal(byName[TOOL.sendText].description, 'Send a WhatsApp text message in Flowella');
			assert.equal(byName[TOOL.getAll].description, 'Get many contacts in Flowella');
			const expected = {
				[TOOL.upsert]: { Phone: 'string', Name: 'string' },
				[TOOL.sendText]: { To: 'string', Text: 'string' },
				[TOOL.getAll]: { Limit: 'number' },
			};
			for (const [name, fields] of Object.entries(expected)) {
				const { parameters } = byName[name];
				assert.equal(parameters.type, 'object');
				assert.deepEqual(Object.keys(parameters.properties).sort(), Object.keys(fields).sort(), name);
				assert.deepEqual([...parameters.required].sort(), Object.keys(fields).sort(), `${name}: every field the model fills is required`);
				for (const [field, type] of Object.entries(fields)) {
					assert.equal(parameters.properties[field].type, type, `${name}.${field}`);
					assert.ok((parameters.properties[field].description ?? '').length >= 20, `${name}.${field} has a description a model can act on`);
				}
				for (const field of Object.keys(parameters.properties)) assert.doesNotMatch(field, INTERNAL_NAMES, `${name}.${field}`);
			}
			assert.ok(modelRequests.length >= 3);
			for (const request of modelRequests) {
				assert.ok(!request.raw.includes(KEY) && !JSON.stringify(request.headers).includes(KEY), 'the Flowella API key never reaches the model');
				assert.doesNotMatch(request.raw, /"(concurrency|timeout)"/);
			}
		});
	},
);
