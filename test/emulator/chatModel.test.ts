import { ChatModelStandIn, demoModel } from '../../emulator/chat-model';

const KEY = 'sk-standin-test';
const UPSERT_TOOL = {
	type: 'function',
	name: 'Create_or_update_a_contact',
	description: 'Create or update a contact in Flowella',
	parameters: { type: 'object', properties: { phone: { type: 'string', description: 'E.164 phone' } }, required: ['phone'] },
};
const SEND_TOOL = { ...UPSERT_TOOL, name: 'Send_a_text_message', description: 'Send a WhatsApp text message in Flowella' };
const asChatTool = ({ name, description, parameters }: { name: string; description: string; parameters: unknown }) => ({ type: 'function', function: { name, description, parameters } });

async function post(model: ChatModelStandIn, path: string, body: unknown, key = KEY) {
	const response = await fetch(`${model.url}${path}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const text = await response.text();
	return { status: response.status, type: response.headers.get('content-type') ?? '', text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
}

/** The `data:` payloads of a Server-Sent Events body, with the event name when one is given. */
function sseFrames(text: string): Array<{ event?: string; data: string }> {
	expect(text.endsWith('\n\n')).toBe(true);
	return text
		.split('\n\n')
		.filter(Boolean)
		.map((frame) => {
			const lines = frame.split('\n');
			const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
			const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
			return { event, data };
		});
}

const ADA_SCRIPT = [
	{ toolCalls: [{ name: UPSERT_TOOL.name, arguments: { phone: '+34612345678', name: 'Ada Lovelace' } }] },
	{ toolCalls: [{ name: SEND_TOOL.name, arguments: { to: '+34612345678', text: 'Welcome, Ada!' } }] },
	{ text: 'Ada Lovelace is saved and welcomed.' },
];

describe('chat model stand-in', () => {
	const model = new ChatModelStandIn({ apiKey: KEY, chunkSize: 5 });
	beforeAll(() => model.listen());
	afterAll(() => model.close());
	beforeEach(() => model.setScript(ADA_SCRIPT));

	it('lists models for the credential test and refuses a wrong key with OpenAI\'s error shape', async () => {
		const models = await fetch(`${model.url}/models`, { headers: { authorization: `Bearer ${KEY}` } });
		expect(models.status).toBe(200);
		const list = (await models.json()) as { object: string; data: Array<{ id: string }> };
		expect(list.object).toBe('list');
		expect(list.data.map((entry) => entry.id)).toContain('gpt-4o-mini');

		const wrong = await post(model, '/chat/completions', { model: 'gpt-4o-mini', messages: [] }, 'sk-wrong');
		expect(wrong.status).toBe(401);
		expect(wrong.json.error).toMatchObject({ code: 'invalid_api_key', type: 'invalid_request_error' });
		expect(model.turns).toHaveLength(0);
	});

	it('plays the script over /chat/completions: each tool call once its result is back, then the text', async () => {
		const tools = [asChatTool(UPSERT_TOOL), asChatTool(SEND_TOOL)];
		const messages: object[] = [{ role: 'system', content: 'You help' }, { role: 'user', content: 'add Ada Lovelace' }];
		const first = await post(model, '/chat/completions', { model: 'gpt-4o-mini', messages, tools });
		expect(first.status).toBe(200);
		const call = first.json.choices[0].message.tool_calls[0];
		expect(first.json.choices[0].finish_reason).toBe('tool_calls');
		expect(call.function.name).toBe(UPSERT_TOOL.name);
		expect(JSON.parse(call.function.arguments)).toEqual({ phone: '+34612345678', name: 'Ada Lovelace' });

		// Asked again without the result: the same step answers (n8n retries must not skip ahead).
		const again = await post(model, '/chat/completions', { model: 'gpt-4o-mini', messages, tools });
		expect(again.json.choices[0].message.tool_calls[0].function.name).toBe(UPSERT_TOOL.name);

		messages.push(first.json.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '[{"id":"ct_1"}]' });
		const second = await post(model, '/chat/completions', { model: 'gpt-4o-mini', messages, tools });
		const sendCall = second.json.choices[0].message.tool_calls[0];
		expect(sendCall.function.name).toBe(SEND_TOOL.name);

		messages.push(second.json.choices[0].message, { role: 'tool', tool_call_id: sendCall.id, content: '[{"id":"msg_1"}]' });
		const last = await post(model, '/chat/completions', { model: 'gpt-4o-mini', messages, tools });
		expect(last.json.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'Ada Lovelace is saved and welcomed.' } });

		expect(model.problems).toEqual([]);
		const transcript = model.transcript();
		expect(transcript.map((turn) => turn.api)).toEqual(['chat', 'chat', 'chat', 'chat']);
		expect(transcript[3].toolResults).toEqual([
			{ name: UPSERT_TOOL.name, output: '[{"id":"ct_1"}]' },
			{ name: SEND_TOOL.name, output: '[{"id":"msg_1"}]' },
		]);
		expect(model.turns[0].tools).toEqual([
			{ name: UPSERT_TOOL.name, description: UPSERT_TOOL.description, parameters: UPSERT_TOOL.parameters },
			{ name: SEND_TOOL.name, description: SEND_TOOL.description, parameters: SEND_TOOL.parameters },
		]);
		expect(model.turns[0].userText).toBe('add Ada Lovelace');
		expect(model.turns[0].systemText).toBe('You help');
	});

	it('plays the script over /responses, reading function_call_output items as results', async () => {
		const input: object[] = [{ role: 'user', content: [{ type: 'input_text', text: 'add Ada' }] }];
		const first = await post(model, '/responses', { model: 'gpt-5-mini', input, tools: [UPSERT_TOOL, SEND_TOOL] });
		expect(first.json).toMatchObject({ object: 'response', status: 'completed', model: 'gpt-5-mini' });
		const [item] = first.json.output;
		expect(item).toMatchObject({ type: 'function_call', name: UPSERT_TOOL.name, status: 'completed' });
		expect(item.id).toMatch(/^fc_/);
		expect(first.json.usage.total_tokens).toBe(first.json.usage.input_tokens + first.json.usage.output_tokens);

		input.push(item, { type: 'function_call_output', call_id: item.call_id, output: '[{"id":"ct_1"}]' });
		const second = await post(model, '/responses', { model: 'gpt-5-mini', input, tools: [UPSERT_TOOL, SEND_TOOL] });
		input.push(second.json.output[0], { type: 'function_call_output', call_id: second.json.output[0].call_id, output: '[{"id":"msg_1"}]' });
		const last = await post(model, '/responses', { model: 'gpt-5-mini', input, tools: [UPSERT_TOOL, SEND_TOOL] });
		expect(last.json.output).toEqual([
			expect.objectContaining({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Ada Lovelace is saved and welcomed.', annotations: [] }] }),
		]);
		expect(model.transcript()[2].toolResults.map((result: { name?: string }) => result.name)).toEqual([UPSERT_TOOL.name, SEND_TOOL.name]);
	});

	it('streams /chat/completions as chunks that add up to the same tool call, usage last, then [DONE]', async () => {
		const body = { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }], tools: [asChatTool(UPSERT_TOOL)] };
		const response = await post(model, '/chat/completions', body);
		expect(response.type).toContain('text/event-stream');
		const frames = sseFrames(response.text);
		expect(frames[frames.length - 1].data).toBe('[DONE]');
		const chunks = frames.slice(0, -1).map((frame) => JSON.parse(frame.data));
		const args = chunks.flatMap((chunk) => chunk.choices[0]?.delta?.tool_calls ?? []).map((delta: { function?: { arguments?: string } }) => delta.function?.arguments ?? '').join('');
		expect(JSON.parse(args)).toEqual({ phone: '+34612345678', name: 'Ada Lovelace' });
		expect(chunks.filter((chunk) => chunk.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments).length).toBeGreaterThan(2);
		expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter(Boolean)).toEqual(['tool_calls']);
		expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });
		expect(model.turns[0].stream).toBe(true);
	});

	it('streams /responses as OpenAI\'s event sequence, ending with response.completed holding the whole answer', async () => {
		model.setScript([{ text: 'Hello from the stand-in' }]);
		const response = await post(model, '/responses', { model: 'gpt-5-mini', stream: true, input: 'hi' });
		const frames = sseFrames(response.text);
		const events = frames.map((frame) => ({ name: frame.event, data: JSON.parse(frame.data) }));
		for (const event of events) expect(event.data.type).toBe(event.name);
		expect(events.map((event) => event.data.sequence_number)).toEqual(events.map((_, index) => index));
		expect(events[0].name).toBe('response.created');
		const text = events.filter((event) => event.name === 'response.output_text.delta').map((event) => event.data.delta).join('');
		expect(text).toBe('Hello from the stand-in');
		const completed = events[events.length - 1];
		expect(completed.name).toBe('response.completed');
		expect(completed.data.response.output[0].content[0].text).toBe('Hello from the stand-in');
	});

	it('refuses a scripted call to a tool n8n did not offer, and an exhausted script, as problems a test sees', async () => {
		const offeredNothing = await post(model, '/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
		expect(offeredNothing.status).toBe(400);
		expect(offeredNothing.json.error.message).toContain(`calls "${UPSERT_TOOL.name}", which n8n did not offer`);

		model.setScript([{ text: 'only this' }]);
		const fine = await post(model, '/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
		expect(fine.status).toBe(200);
		const messages = [
			{ role: 'user', content: 'hi' },
			{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'x', arguments: '{}' } }] },
			{ role: 'tool', tool_call_id: 'c1', content: 'done' },
		];
		model.setScript([{ toolCalls: [{ name: UPSERT_TOOL.name, arguments: {} }] }]);
		const exhausted = await post(model, '/chat/completions', { model: 'gpt-4o-mini', messages, tools: [asChatTool(UPSERT_TOOL)] });
		expect(exhausted.status).toBe(400);
		expect(model.problems).toEqual([expect.stringContaining('the script has no step 2')]);
	});

	it('lets a function step decide from the last tool result, e.g. to stop after an error', async () => {
		model.setScript([
			{ toolCalls: [{ name: SEND_TOOL.name, arguments: { to: '+34 abc', text: 'hi' } }] },
			(turn) => ({ text: turn.lastResult?.output.includes('error') ? `The tool said: ${turn.lastResult.output}` : 'sent' }),
		]);
		const messages = [
			{ role: 'user', content: 'send hi' },
			{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: SEND_TOOL.name, arguments: '{}' } }] },
			{ role: 'tool', tool_call_id: 'c1', content: '[{"error":"Invalid Phone"}]' },
		];
		const answer = await post(model, '/chat/completions', { model: 'gpt-4o-mini', messages, tools: [asChatTool(SEND_TOOL)] });
		expect(answer.json.choices[0].message.content).toBe('The tool said: [{"error":"Invalid Phone"}]');
	});

	it('the playground\'s demo model adds and welcomes whoever the user names, using the schema\'s own keys', async () => {
		model.setScript(demoModel);
		const schema = (keys: string[]) => ({ type: 'object', properties: Object.fromEntries(keys.map((key) => [key, { type: 'string' }])), required: keys });
		const tools = [
			{ ...UPSERT_TOOL, parameters: schema(['Phone', 'Name']) },
			{ ...SEND_TOOL, parameters: schema(['To', 'Text']) },
		].map(asChatTool);
		const ask = (messages: object[]) => post(model, '/chat/completions', { model: 'gpt-4o-mini', messages, tools });
		const messages: object[] = [{ role: 'user', content: 'add Grace Hopper, +1 202 555 0143, and welcome her' }];
		const first = (await ask(messages)).json.choices[0].message;
		expect(first.tool_calls[0].function).toEqual({ name: UPSERT_TOOL.name, arguments: JSON.stringify({ Phone: '+1 202 555 0143', Name: 'Grace Hopper' }) });
		messages.push(first, { role: 'tool', tool_call_id: first.tool_calls[0].id, content: '[{"id":"ct_9","name":"Grace Hopper","phone":"+12025550143"}]' });
		const second = (await ask(messages)).json.choices[0].message;
		expect(JSON.parse(second.tool_calls[0].function.arguments)).toEqual({ To: '+1 202 555 0143', Text: 'Welcome, Grace! Thanks for joining us on WhatsApp.' });
		messages.push(second, { role: 'tool', tool_call_id: second.tool_calls[0].id, content: '[{"id":"msg_3","conversationId":"cv_2"}]' });
		const last = (await ask(messages)).json.choices[0].message.content;
		expect(last).toBe('Grace Hopper (+12025550143) is saved in Flowella as ct_9. The welcome message msg_3 is on its way (conversation cv_2).');

		const unclear = await ask([{ role: 'user', content: 'what can you do?' }]);
		expect(unclear.json.choices[0].message.content).toContain('add Ada Lovelace, +34 612 34 56 78, and welcome her');
		const failed = await ask([...messages.slice(0, 1), first, { role: 'tool', tool_call_id: first.tool_calls[0].id, content: '[{"error":"Invalid Phone"}]' }]);
		expect(failed.json.choices[0].message.content).toContain('Invalid Phone');
		expect(model.problems).toEqual([]);
	});

	it('serves the same routes without the /v1 prefix and keeps the key out of its control routes', async () => {
		const base = model.url.replace(/\/v1$/, '');
		const bare = await fetch(`${base}/models`, { headers: { authorization: `Bearer ${KEY}` } });
		expect(bare.status).toBe(200);
		const recorded = await (await fetch(`${base}/__standin/requests`)).text();
		expect(recorded).not.toContain(KEY);
		expect(JSON.parse(recorded)[0].headers.authorization).toBe('[redacted]');
	});
});
