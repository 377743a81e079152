'use strict';
// A scripted stand-in for an OpenAI-compatible chat API, so n8n's "OpenAI Chat Model" node (its
// credential's Base URL pointed here) drives an AI Agent offline. Node http on loopback only.
// It serves what that node calls (checked in n8n 2.40.7 and 1.123.81, @langchain/openai + openai SDK):
//   GET  /v1/models              the credential test and the model list
//   POST /v1/responses           node version 1.3 with "Use Responses API" on (its default)
//   POST /v1/chat/completions    versions 1–1.2, or 1.3 with the Responses API off
// each with `stream: true` too (Server-Sent Events), which the agent uses when a Chat Trigger
// streams its answer. Every request is recorded with the tool schemas it carries; answers come from
// a script: scripted tool calls, then a final message.
const http = require('node:http');

/**
 * One scripted answer: tool calls for the model to make, or the final text. A function step
 * decides from what the model has seen so far (the last tool result, the user's words).
 * @typedef {{ name: string, arguments: Record<string, unknown> }} ScriptedToolCall
 * @typedef {{ toolCalls: ScriptedToolCall[] } | { text: string }} Answer
 * @typedef {{ name: string, description: string, parameters: any }} ToolSchema
 * @typedef {{ callId: string, name: string | undefined, output: string }} ToolResult
 * @typedef {{ api: 'responses' | 'chat', userText: string, systemText: string, tools: ToolSchema[],
 *   toolResults: ToolResult[], lastResult: ToolResult | undefined, step: number, body: any }} Turn
 * @typedef {Answer | ((turn: Turn) => Answer)} Step
 * One request to the stand-in, as recorded (the conversation parts once the body is read).
 * @typedef {{ seq: number, at: number, method: string | undefined, path: string, api: 'responses' | 'chat' | 'models' | 'other',
 *   headers: import('node:http').IncomingHttpHeaders, raw: string, body: any, stream: boolean, status: number,
 *   model?: string, tools: ToolSchema[], userText: string, systemText: string, toolResults: ToolResult[],
 *   answer?: any }} ModelRequest
 */

const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-5-mini'];

/** An error as OpenAI answers it. @param {number} status @param {string} message @param {string | null} [code] */
function openAiError(status, message, code = null, type = 'invalid_request_error') {
	return { status, body: { error: { message, type, param: null, code } } };
}

function textOf(content) {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content.map((part) => (typeof part === 'string' ? part : (part?.text ?? ''))).join('');
}

/** Tools as the model sees them, from either API's request shape. @returns {ToolSchema[]} */
function toolsOf(body) {
	return (Array.isArray(body.tools) ? body.tools : [])
		.filter((tool) => tool?.type === 'function')
		.map((tool) => {
			const fn = tool.function ?? tool;
			return { name: fn.name, description: fn.description ?? '', parameters: fn.parameters };
		});
}

/** The conversation so far, normalised: the user's and system's words, and the tool results in order. */
function readConversation(api, body) {
	const items = api === 'responses' ? (typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : (body.input ?? [])) : (body.messages ?? []);
	const names = new Map();
	const toolResults = [];
	const user = [];
	const system = api === 'responses' && typeof body.instructions === 'string' ? [body.instructions] : [];
	for (const item of items) {
		if (api === 'responses' && item.type === 'function_call') names.set(item.call_id, item.name);
		else if (api === 'responses' && item.type === 'function_call_output') {
			toolResults.push({ callId: item.call_id, name: names.get(item.call_id), output: textOf(item.output) });
		} else if (item.role === 'assistant' && Array.isArray(item.tool_calls)) {
			for (const call of item.tool_calls) names.set(call.id, call.function?.name);
		} else if (item.role === 'tool') {
			toolResults.push({ callId: item.tool_call_id, name: names.get(item.tool_call_id), output: textOf(item.content) });
		} else if (item.role === 'user') user.push(textOf(item.content));
		else if (item.role === 'system' || item.role === 'developer') system.push(textOf(item.content));
	}
	// The question being answered is the last user message (earlier ones come from the agent's memory).
	return { userText: user[user.length - 1] ?? '', systemText: system.join('\n'), toolResults };
}

/** Which step answers now: each step with tool calls is done once all its calls have results. */
function stepIndex(script, resultCount) {
	let left = resultCount;
	let index = 0;
	while (index < script.length) {
		const step = script[index];
		const calls = typeof step === 'function' ? (step.calls ?? 1) : (step.toolCalls?.length ?? 0);
		if (calls === 0 || left < calls) break;
		left -= calls;
		index += 1;
	}
	return index;
}

class ChatModelStandIn {
	/** Every request, in order: path, API, streaming, the raw body, tools, what was answered. @type {ModelRequest[]} */
	requests = [];
	/** What went wrong on the stand-in's side (script exhausted, unknown tool): tests expect none. @type {string[]} */
	problems = [];
	nextId = 1;
	/** @type {Step[] | ((turn: Turn) => Answer)} */
	script = [];

	/**
	 * @param {{ apiKey?: string, script?: Step[], models?: string[], latencyMs?: number,
	 *   chunkSize?: number }} [options] chunkSize: characters per streamed delta
	 */
	constructor(options = {}) {
		this.apiKey = options.apiKey ?? 'sk-standin-local';
		this.models = options.models ?? DEFAULT_MODELS;
		this.latencyMs = options.latencyMs ?? 0;
		this.chunkSize = options.chunkSize ?? 12;
		this.setScript(options.script ?? []);
		this.sockets = new Set();
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((/** @type {unknown} */ error) => {
				const shown = error instanceof Error ? error : { stack: String(error), message: String(error) };
				this.problems.push(`stand-in crashed: ${shown.stack ?? shown.message}`);
				if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify(openAiError(500, shown.message, null, 'server_error').body));
			});
		});
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
	}

	/**
	 * Replaces the script and forgets what was recorded. A list is played in order (a function step
	 * making N tool calls says so with `step.calls = N`); a single function answers every turn.
	 * @param {Step[] | ((turn: Turn) => Answer)} script
	 */
	setScript(script) {
		this.script = script;
		this.reset();
	}

	reset() {
		this.requests = [];
		this.problems = [];
		this.nextId = 1;
	}

	get url() {
		const address = this.server.address();
		if (!address || typeof address === 'string') throw new Error('chat model stand-in is not listening');
		return `http://127.0.0.1:${address.port}/v1`;
	}

	listen(port = 0, host = '127.0.0.1') {
		return new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, host, () => resolve(this.url));
		});
	}

	close() {
		for (const socket of this.sockets) socket.destroy();
		return new Promise((resolve) => this.server.close(() => resolve(undefined)));
	}

	/** Model requests that got past the key check and were answered from the script, in order. */
	get turns() {
		return this.requests.filter((request) => request.answer !== undefined);
	}

	/** The conversation as a readable log: per model request, what n8n sent and what came back. */
	transcript() {
		return this.turns.map((request) => ({
			seq: request.seq,
			api: request.api,
			stream: request.stream,
			user: request.userText,
			tools: request.tools.map((tool) => tool.name),
			toolResults: request.toolResults.map(({ name, output }) => ({ name, output })),
			answer: request.answer,
		}));
	}

	id(prefix) {
		return `${prefix}${String(this.nextId++).padStart(4, '0')}`;
	}

	/** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
	async handle(req, res) {
		const chunks = [];
		for await (const chunk of req) chunks.push(chunk);
		const raw = Buffer.concat(chunks).toString('utf8');
		const url = new URL(req.url ?? '/', 'http://stand-in');
		const route = `${req.method} ${url.pathname.replace(/^\/v1(?=\/)/, '')}`;
		const reply = (status, body) => {
			res.writeHead(status, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		if (route.startsWith('GET /__standin/') || route.startsWith('POST /__standin/')) return this.control(route, reply);

		/** @type {ModelRequest} */
		const record = {
			seq: this.requests.length + 1,
			at: Date.now(),
			method: req.method,
			path: url.pathname,
			api: route === 'POST /responses' ? 'responses' : route === 'POST /chat/completions' ? 'chat' : route === 'GET /models' ? 'models' : 'other',
			headers: { ...req.headers },
			raw,
			body: undefined,
			stream: false,
			status: 0,
			tools: [],
			userText: '',
			systemText: '',
			toolResults: [],
		};
		this.requests.push(record);
		if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));

		const answerWith = ({ status, body }) => {
			record.status = status;
			return reply(status, body);
		};
		if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
			return answerWith(openAiError(401, 'Incorrect API key provided to the chat model stand-in', 'invalid_api_key'));
		}
		if (record.api === 'models') {
			const created = Math.floor(Date.now() / 1000);
			return answerWith({ status: 200, body: { object: 'list', data: this.models.map((id) => ({ id, object: 'model', created, owned_by: 'flowella-stand-in' })) } });
		}
		if (record.api === 'other') return answerWith(openAiError(404, `The stand-in does not serve ${route}`, 'unknown_url'));
		try {
			record.body = JSON.parse(raw);
		} catch {
			return answerWith(openAiError(400, 'We could not parse the JSON body of your request.'));
		}
		const body = record.body;
		record.stream = body.stream === true;
		record.model = body.model;
		record.tools = toolsOf(body);
		Object.assign(record, readConversation(record.api, body));

		const answer = this.nextAnswer(record);
		if ('error' in answer) {
			this.problems.push(answer.error);
			record.answer = { error: answer.error };
			return answerWith(openAiError(400, `chat model stand-in: ${answer.error}`, 'stand_in_script'));
		}
		record.answer = answer;
		record.status = 200;
		if (record.api === 'responses') return this.answerResponses(res, record, answer);
		return this.answerChat(res, record, answer);
	}

	/**
	 * The scripted answer for this request, checked against the tools n8n offered.
	 * @param {ModelRequest} record
	 * @returns {{ error: string } | { text: string } | { toolCalls: (ScriptedToolCall & { id: string })[] }}
	 */
	nextAnswer(record) {
		// A function instead of a list is asked on every turn (the playground's demo model).
		const step = typeof this.script === 'function' ? record.toolResults.length : stepIndex(this.script, record.toolResults.length);
		const scripted = typeof this.script === 'function' ? this.script : this.script[step];
		if (!scripted) return { error: `the script has no step ${step + 1} (it has ${this.script.length}); ${record.toolResults.length} tool results so far` };
		/** @type {Turn} */
		const turn = {
			api: record.api === 'chat' ? 'chat' : 'responses',
			userText: record.userText,
			systemText: record.systemText,
			tools: record.tools,
			toolResults: record.toolResults,
			lastResult: record.toolResults[record.toolResults.length - 1],
			step,
			body: record.body,
		};
		let answer;
		try {
			answer = typeof scripted === 'function' ? scripted(turn) : scripted;
		} catch (error) {
			return { error: `step ${step + 1} threw: ${error instanceof Error ? error.message : String(error)}` };
		}
		if (!answer || (!('toolCalls' in answer && Array.isArray(answer.toolCalls)) && !('text' in answer && typeof answer.text === 'string'))) {
			return { error: `step ${step + 1} gave neither toolCalls nor text` };
		}
		if (!('toolCalls' in answer)) return { text: answer.text };
		for (const call of answer.toolCalls) {
			if (!record.tools.some((tool) => tool.name === call.name)) {
				return { error: `step ${step + 1} calls "${call.name}", which n8n did not offer (offered: ${record.tools.map((tool) => tool.name).join(', ') || 'none'})` };
			}
		}
		return { toolCalls: answer.toolCalls.map((call) => ({ id: this.id('call_standin_'), name: call.name, arguments: call.arguments ?? {} })) };
	}

	usage(record, answer) {
		const input = Math.ceil(record.raw.length / 4);
		const output = Math.ceil(JSON.stringify(answer).length / 4);
		return { input, output };
	}

	answerResponses(res, record, answer) {
		const created = Math.floor(Date.now() / 1000);
		const output = answer.toolCalls
			? answer.toolCalls.map((call) => ({
					type: 'function_call',
					id: this.id('fc_standin_'),
					call_id: call.id,
					name: call.name,
					arguments: JSON.stringify(call.arguments),
					status: 'completed',
				}))
			: [{ type: 'message', id: this.id('msg_standin_'), role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: answer.text, annotations: [] }] }];
		const { input, output: outputTokens } = this.usage(record, answer);
		const response = {
			id: this.id('resp_standin_'),
			object: 'response',
			created_at: created,
			status: 'completed',
			error: null,
			incomplete_details: null,
			instructions: record.body.instructions ?? null,
			model: record.model,
			output,
			parallel_tool_calls: true,
			tool_choice: record.body.tool_choice ?? 'auto',
			tools: record.body.tools ?? [],
			text: { format: { type: 'text' } },
			metadata: {},
			usage: {
				input_tokens: input,
				input_tokens_details: { cached_tokens: 0 },
				output_tokens: outputTokens,
				output_tokens_details: { reasoning_tokens: 0 },
				total_tokens: input + outputTokens,
			},
		};
		if (!record.stream) {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			return res.end(JSON.stringify(response));
		}
		// The event sequence OpenAI streams for one response; @langchain/openai builds the message from it.
		const events = [];
		let sequence = 0;
		const event = (type, data) => events.push({ type, data: { type, sequence_number: sequence++, ...data } });
		event('response.created', { response: { ...response, status: 'in_progress', output: [], usage: null } });
		event('response.in_progress', { response: { ...response, status: 'in_progress', output: [], usage: null } });
		output.forEach((item, outputIndex) => {
			if (item.type === 'function_call') {
				event('response.output_item.added', { output_index: outputIndex, item: { ...item, arguments: '', status: 'in_progress' } });
				for (const delta of this.pieces(item.arguments)) {
					event('response.function_call_arguments.delta', { item_id: item.id, output_index: outputIndex, delta });
				}
				event('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, arguments: item.arguments });
				event('response.output_item.done', { output_index: outputIndex, item });
				return;
			}
			const text = item.content[0].text;
			event('response.output_item.added', { output_index: outputIndex, item: { ...item, content: [], status: 'in_progress' } });
			event('response.content_part.added', { item_id: item.id, output_index: outputIndex, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
			for (const delta of this.pieces(text)) {
				event('response.output_text.delta', { item_id: item.id, output_index: outputIndex, content_index: 0, delta, logprobs: [] });
			}
			event('response.output_text.done', { item_id: item.id, output_index: outputIndex, content_index: 0, text, logprobs: [] });
			event('response.content_part.done', { item_id: item.id, output_index: outputIndex, content_index: 0, part: item.content[0] });
			event('response.output_item.done', { output_index: outputIndex, item });
		});
		event('response.completed', { response });
		return this.streamEvents(res, events.map(({ type, data }) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`));
	}

	answerChat(res, record, answer) {
		const id = this.id('chatcmpl-standin-');
		const created = Math.floor(Date.now() / 1000);
		const toolCalls = answer.toolCalls?.map((call) => ({
			id: call.id,
			type: 'function',
			function: { name: call.name, arguments: JSON.stringify(call.arguments) },
		}));
		const finishReason = toolCalls ? 'tool_calls' : 'stop';
		const { input, output } = this.usage(record, answer);
		const usage = { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
		if (!record.stream) {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			return res.end(
				JSON.stringify({
					id,
					object: 'chat.completion',
					created,
					model: record.model,
					choices: [
						{
							index: 0,
							message: { role: 'assistant', content: toolCalls ? null : answer.text, refusal: null, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
							logprobs: null,
							finish_reason: finishReason,
						},
					],
					usage,
					system_fingerprint: null,
				}),
			);
		}
		const chunk = (/** @type {object} */ delta, /** @type {string | null} */ finish = null) => ({
			id,
			object: 'chat.completion.chunk',
			created,
			model: record.model,
			system_fingerprint: null,
			choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
		});
		const chunks = [chunk({ role: 'assistant', content: toolCalls ? null : '' })];
		if (toolCalls) {
			toolCalls.forEach((call, index) => {
				chunks.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }));
				for (const piece of this.pieces(call.function.arguments)) {
					chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
				}
			});
		} else {
			for (const piece of this.pieces(answer.text)) chunks.push(chunk({ content: piece }));
		}
		chunks.push(chunk({}, finishReason));
		// Sent when asked for (@langchain/openai asks by default): a last chunk with no choices, only usage.
		if (record.body.stream_options?.include_usage) chunks.push({ ...chunk({}), choices: [], usage });
		return this.streamEvents(res, [...chunks.map((data) => `data: ${JSON.stringify(data)}\n\n`), 'data: [DONE]\n\n']);
	}

	/** Text cut into stream deltas, as a model emits tokens. */
	pieces(text) {
		const list = [];
		for (let index = 0; index < text.length; index += this.chunkSize) list.push(text.slice(index, index + this.chunkSize));
		return list.length ? list : [''];
	}

	async streamEvents(res, frames) {
		res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
		for (const frame of frames) {
			if (res.destroyed) return;
			res.write(frame);
			// A tick between frames, so the client really reads a stream and not one buffer.
			await new Promise((resolve) => setImmediate(resolve));
		}
		res.end();
	}

	control(route, reply) {
		if (route === 'GET /__standin/requests') return reply(200, this.requests.map(({ headers, ...rest }) => ({ ...rest, headers: { ...headers, authorization: headers.authorization ? '[redacted]' : undefined } })));
		if (route === 'GET /__standin/transcript') return reply(200, this.transcript());
		if (route === 'GET /__standin/problems') return reply(200, this.problems);
		if (route === 'POST /__standin/reset') {
			this.reset();
			return reply(200, { ok: true });
		}
		return reply(404, { error: { message: route } });
	}
}

const DEMO_HELP =
	'I am the playground\'s scripted stand-in for an OpenAI model: no real AI and no network, just enough to drive the Flowella tools. ' +
	'Try "add Ada Lovelace, +34 612 34 56 78, and welcome her" or "list contacts".';

/** The property of a tool's schema whose name matches, e.g. /phone/ → "Phone". */
function propertyLike(tool, pattern) {
	return Object.keys(tool?.parameters?.properties ?? {}).find((key) => pattern.test(key));
}

function firstResult(result) {
	try {
		const parsed = JSON.parse(result.output);
		return Array.isArray(parsed) ? parsed[0] : parsed;
	} catch {
		return { error: result.output };
	}
}

/**
 * The playground's model: reads a request like "add Ada Lovelace, +34 612 34 56 78, and welcome
 * her" with regular expressions and calls the Flowella tools it finds by their descriptions
 * (Create or Update, then Send Text; Get Many for "list contacts"), then sums up what they returned.
 * @param {Turn} turn @returns {Answer}
 */
function demoModel(turn) {
	const find = (pattern) => turn.tools.find((tool) => pattern.test(`${tool.name} ${tool.description}`));
	const upsert = find(/create or update/i);
	const send = find(/send a (whatsapp )?text/i);
	const list = find(/get many contacts/i);
	const said = turn.userText;
	const phone = /(?:\+|00)?\d[\d\s().-]{6,}\d/.exec(said)?.[0]?.trim();
	const name = /\badd\s+([^,+\d]+?)\s*(?:,|\+|\d)/i.exec(said)?.[1]?.trim();
	const welcome = /welcome|greet|say (hi|hello)/i.test(said);
	const call = (tool, values) => {
		/** @type {Record<string, unknown>} */
		const args = {};
		for (const [pattern, value] of values) {
			const key = propertyLike(tool, pattern);
			if (key) args[key] = tool.parameters.properties[key].type === 'number' ? Number(value) : value;
		}
		return { toolCalls: [{ name: tool.name, arguments: args }] };
	};
	const sendWelcome = () => call(send, [[/^to$|phone|recipient/i, phone], [/text|message/i, `Welcome${name ? `, ${name.split(/\s+/)[0]}` : ''}! Thanks for joining us on WhatsApp.`]]);

	if (turn.toolResults.length === 0) {
		if (/\b(list|show|get)\b.*\bcontacts?\b|how many contacts/i.test(said) && list) return call(list, [[/limit/i, 10]]);
		if (phone && upsert) return call(upsert, [[/phone/i, phone], [/name/i, name ?? '']]);
		if (phone && welcome && send) return sendWelcome();
		return { text: DEMO_HELP };
	}
	const last = turn.lastResult;
	if (!last) return { text: DEMO_HELP };
	const answer = firstResult(last);
	if (answer?.error) return { text: `Flowella's tool answered with an error, so I stopped: ${answer.error}` };
	if (last.name === upsert?.name && welcome && send) return sendWelcome();
	const summary = turn.toolResults.map((result) => {
		const row = firstResult(result);
		if (result.name === upsert?.name) return `${row.name ?? 'The contact'} (${row.phone}) is saved in Flowella as ${row.id}.`;
		if (result.name === send?.name) return `The welcome message ${row.id} is on its way (conversation ${row.conversationId}).`;
		const rows = JSON.parse(result.output);
		return `Flowella has these contacts: ${rows.map((contact) => `${contact.name ?? '(no name)'} ${contact.phone}`).join(', ')}.`;
	});
	return { text: summary.join(' ') };
}

/** Starts a stand-in on a free loopback port (or `port`). */
async function startChatModel(options = {}) {
	const model = new ChatModelStandIn(options);
	await model.listen(options.port ?? 0);
	return model;
}

module.exports = { ChatModelStandIn, startChatModel, demoModel };
