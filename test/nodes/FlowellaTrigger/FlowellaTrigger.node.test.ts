// The trigger's webhook() as n8n calls it, through a narrow stand-in for IWebhookFunctions:
// the request with its raw bytes, a response that records what was sent, the node's parameters
// and static data. Deliveries are built by the emulator's sender, which shares no code with the node.
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import { buildDelivery, sampleEvent, tamper } from '../../../emulator/webhooks';

type TriggerModule = typeof import('../../../nodes/FlowellaTrigger/FlowellaTrigger.node');

const SECRET = 'whsec_unit_test_0123456789abcdef';

interface Call {
	status?: number;
	body?: unknown;
	result: { workflowData?: INodeExecutionData[][]; noWebhookResponse?: boolean };
}

interface Setup {
	events?: string[];
	includeTestEvents?: boolean;
	mode?: 'webhook' | 'manual';
	staticData?: IDataObject;
	secret?: string;
	workflowId?: string;
	nodeId?: string;
	warnings?: string[];
}

/** A fresh copy of the node module: a new n8n process, with empty memory. */
function freshProcess(): TriggerModule {
	let module: TriggerModule | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		module = require('../../../nodes/FlowellaTrigger/FlowellaTrigger.node');
	});
	return module!;
}

async function call(
	module: TriggerModule,
	delivery: { raw: string | Buffer; headers: Record<string, string> },
	setup: Setup = {},
): Promise<Call> {
	const node = new module.FlowellaTrigger();
	const staticData = setup.staticData ?? {};
	const sent: { status?: number; body?: unknown } = {};
	const response = {
		status(code: number) {
			sent.status = code;
			return response;
		},
		json(body: unknown) {
			sent.body = body;
			return response;
		},
	};
	const parameters: Record<string, unknown> = {
		events: setup.events ?? ['*'],
		'options.includeTestEvents': setup.includeTestEvents ?? true,
	};
	const context = {
		getRequestObject: () => ({ rawBody: Buffer.isBuffer(delivery.raw) ? delivery.raw : Buffer.from(delivery.raw, 'utf8'), headers: delivery.headers }),
		getResponseObject: () => response,
		getCredentials: async () => ({ signingSecret: setup.secret ?? SECRET }),
		getNodeParameter: (name: string, fallback: unknown) => (name in parameters ? parameters[name] : fallback),
		getMode: () => setup.mode ?? 'webhook',
		getNode: () => ({ id: setup.nodeId ?? 'node-1', name: 'Flowella Trigger' }),
		getWorkflow: () => ({ id: setup.workflowId ?? 'wf-1' }),
		getWorkflowStaticData: () => staticData,
		logger: { warn: (message: string) => setup.warnings?.push(message) },
		helpers: { returnJsonArray: (json: IDataObject) => [{ json }] },
	} as unknown as IWebhookFunctions;
	const result = await node.webhook.call(context);
	return { status: sent.status, body: sent.body, result };
}

const signed = (type = 'message.received', options: { deliveryId?: string; body?: object; nowMs?: number } = {}) =>
	buildDelivery({ secret: SECRET, type, body: options.body ?? sampleEvent(type), deliveryId: options.deliveryId, nowMs: options.nowMs });

const started = (outcome: Call) => outcome.result.workflowData?.[0]?.map((item) => item.json) ?? [];

describe('FlowellaTrigger webhook()', () => {
	it('starts the workflow with the event exactly as received, plus type and delivery id', async () => {
		const module = freshProcess();
		const body = { event: 'message.received', data: { id: 'msg_1', text: 'Hola', nested: { list: [1, 2] } }, extra: null };
		const delivery = signed('message.received', { body, deliveryId: 'dlv_1' });
		const outcome = await call(module, delivery);
		expect(outcome.status).toBeUndefined();
		expect(started(outcome)).toEqual([{ ...body, deliveryId: 'dlv_1' }]);

		// A body without the type takes it from X-Flowella-Event.
		const bare = signed('message.read', { body: { data: { id: 'msg_2' } }, deliveryId: 'dlv_2' });
		expect(started(await call(module, bare))).toEqual([{ data: { id: 'msg_2' }, event: 'message.read', deliveryId: 'dlv_2' }]);
	});

	it('verifies the raw bytes: whitespace and key order as sent, not re-serialised', async () => {
		const raw = '{\n  "data": {"id": "msg_raw", "text": "a\\u00e9"},\n  "event": "message.received"\n}\n';
		const delivery = buildDelivery({ secret: SECRET, type: 'message.received', raw });
		const outcome = await call(freshProcess(), delivery);
		expect(started(outcome)).toHaveLength(1);
		expect(started(outcome)[0].data).toEqual({ id: 'msg_raw', text: 'aé' });
	});

	it.each([
		['forge', 401, /does not match/],
		['unsigned', 401, /Missing X-Flowella-Signature/],
		['corrupt', 401, /does not match/],
		['stale', 401, /5 minutes/],
		['future', 401, /5 minutes/],
		['wrongContentType', 415, /application\/json/],
		['notJson', 400, /not valid JSON/],
	])('answers a %s delivery %i and starts nothing', async (mode, status, reason) => {
		const warnings: string[] = [];
		const outcome = await call(freshProcess(), tamper(signed(), mode, { secret: SECRET }), { warnings });
		expect(outcome.status).toBe(status);
		expect(outcome.result).toEqual({ noWebhookResponse: true });
		expect((outcome.body as { error: string }).error).toMatch(reason);
		expect(warnings.join('\n')).toMatch(reason);
		expect(JSON.stringify(outcome.body) + warnings.join('')).not.toContain(SECRET);
	});

	it('accepts a valid signature without a timestamp', async () => {
		const outcome = await call(freshProcess(), tamper(signed(), 'noTimestamp', { secret: SECRET }));
		expect(started(outcome)).toHaveLength(1);
	});

	it('refuses everything when the signature was made with another secret, even a valid-looking one', async () => {
		const outcome = await call(freshProcess(), signed(), { secret: 'whsec_the_other_webhooks_secret' });
		expect(outcome.status).toBe(401);
	});

	it('trims whitespace a copy added around the secret', async () => {
		const outcome = await call(freshProcess(), signed(), { secret: `  ${SECRET}\n` });
		expect(started(outcome)).toHaveLength(1);
	});

	it('answers 200 to an event type that is not selected, and starts nothing', async () => {
		const outcome = await call(freshProcess(), signed('message.delivered'), { events: ['message.received'] });
		expect(outcome.status).toBe(200);
		expect(outcome.body).toMatchObject({ started: false, reason: 'event type not selected' });
		expect(outcome.result.workflowData).toBeUndefined();
	});

	it('lets webhook.test through unless test events are off, whatever the selected events', async () => {
		const module = freshProcess();
		expect(started(await call(module, signed('webhook.test'), { events: ['message.received'] }))).toHaveLength(1);
		const off = await call(module, signed('webhook.test'), { events: ['*'], includeTestEvents: false });
		expect(off.status).toBe(200);
		expect(off.result.workflowData).toBeUndefined();
	});

	it('answers 200 to a repeated delivery id and starts it once', async () => {
		const module = freshProcess();
		const delivery = signed('message.received', { deliveryId: 'dlv_repeat' });
		expect(started(await call(module, delivery))).toHaveLength(1);
		const again = await call(module, delivery);
		expect(again.status).toBe(200);
		expect(again.body).toMatchObject({ started: false, reason: 'duplicate delivery' });
	});

	it('without a delivery id, de-duplicates on event type + data.id (sent, delivered, read of one message are three events)', async () => {
		const module = freshProcess();
		const withoutId = (type: string) => {
			const delivery = signed(type, { body: { event: type, data: { id: 'msg_same' } } });
			delete (delivery.headers as Record<string, string>)['x-flowella-delivery'];
			return delivery;
		};
		for (const type of ['message.sent', 'message.delivered', 'message.read']) expect(started(await call(module, withoutId(type)))).toHaveLength(1);
		expect(started(await call(module, withoutId('message.read')))).toHaveLength(0);
	});

	it('starts one of many concurrent copies of a delivery', async () => {
		const module = freshProcess();
		const staticData: IDataObject = {};
		const delivery = signed('message.received', { deliveryId: 'dlv_concurrent' });
		const outcomes = await Promise.all(Array.from({ length: 20 }, () => call(module, delivery, { staticData })));
		expect(outcomes.filter((outcome) => started(outcome).length === 1)).toHaveLength(1);
		expect(outcomes.filter((outcome) => outcome.status === 200)).toHaveLength(19);
	});

	it('keeps every key although each request gets its own copy of static data (as n8n loads it per request)', async () => {
		const module = freshProcess();
		// Every request starts from the same stale static data and writes its own copy back.
		const copies: IDataObject[] = [];
		await Promise.all(
			Array.from({ length: 10 }, (_, index) => {
				const staticData: IDataObject = {};
				copies.push(staticData);
				return call(module, signed('message.received', { deliveryId: `dlv_c${index}` }), { staticData });
			}),
		);
		for (let index = 0; index < 10; index += 1) {
			expect(started(await call(module, signed('message.received', { deliveryId: `dlv_c${index}` }), { staticData: {} }))).toHaveLength(0);
		}
		// The last write holds all ten keys: a restart after it forgets none of them.
		const last = copies.map((copy) => (copy.seenDeliveries as unknown[]).length).sort((a, b) => b - a)[0];
		expect(last).toBe(10);
	});

	it('remembers delivery ids across a restart through static data', async () => {
		const staticData: IDataObject = {};
		expect(started(await call(freshProcess(), signed('message.received', { deliveryId: 'dlv_restart' }), { staticData }))).toHaveLength(1);
		expect(JSON.parse(JSON.stringify(staticData))).toEqual({ seenDeliveries: [['delivery:dlv_restart', expect.any(Number)]] });
		const restarted = freshProcess();
		const afterRestart = await call(restarted, signed('message.received', { deliveryId: 'dlv_restart' }), { staticData: JSON.parse(JSON.stringify(staticData)) });
		expect(afterRestart.body).toMatchObject({ reason: 'duplicate delivery' });
	});

	it('writes the keys again from the execution it started, so n8n saves them when the run ends', async () => {
		const module = freshProcess();
		await call(module, signed('message.received', { deliveryId: 'dlv_exec' }), { staticData: {} });
		const staticData: IDataObject = {};
		const items = [{ json: { event: 'message.received' } }];
		const execution = (mode: string) =>
			({
				getMode: () => mode,
				getWorkflow: () => ({ id: 'wf-1' }),
				getNode: () => ({ id: 'node-1' }),
				getWorkflowStaticData: () => staticData,
				getInputData: () => items,
			}) as unknown as IExecuteFunctions;
		const node = new module.FlowellaTrigger();
		await expect(node.execute.call(execution('manual'))).resolves.toEqual([items]);
		expect(staticData).toEqual({});
		await expect(node.execute.call(execution('webhook'))).resolves.toEqual([items]);
		expect(staticData.seenDeliveries).toEqual([['delivery:dlv_exec', expect.any(Number)]]);
	});

	it('keeps test-URL and production deliveries apart, and writes no static data for the test URL', async () => {
		const module = freshProcess();
		const staticData: IDataObject = {};
		const delivery = signed('webhook.test', { deliveryId: 'dlv_both' });
		expect(started(await call(module, delivery, { mode: 'manual', staticData }))).toHaveLength(1);
		expect(staticData).toEqual({});
		expect(started(await call(module, delivery, { mode: 'webhook', staticData }))).toHaveLength(1);
		expect(started(await call(module, delivery, { mode: 'manual' }))).toHaveLength(0);
	});

	it('keeps two trigger nodes apart', async () => {
		const module = freshProcess();
		const delivery = signed('message.received', { deliveryId: 'dlv_two_nodes' });
		expect(started(await call(module, delivery, { nodeId: 'a' }))).toHaveLength(1);
		expect(started(await call(module, delivery, { nodeId: 'b' }))).toHaveLength(1);
		expect(started(await call(module, delivery, { nodeId: 'a' }))).toHaveLength(0);
	});
});

describe('FlowellaTrigger description and methods', () => {
	const module = freshProcess();
	const node = new module.FlowellaTrigger();

	it('is a POST webhook at /webhook/<webhookId>, answered on receipt', () => {
		expect(node.description.name).toBe('flowellaTrigger');
		expect(node.description.group).toEqual(['trigger']);
		expect(node.description.inputs).toEqual([]);
		expect(node.description.webhooks).toEqual([{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '', isFullPath: true }]);
		expect(node.description.credentials).toEqual([{ name: 'flowellaWebhookApi', required: true, testedBy: 'flowellaWebhookSecretShape' }]);
	});

	it('offers every documented event type and "all" as the default, not webhook.test', () => {
		const events = node.description.properties.find((property) => property.name === 'events')!;
		expect(events.default).toEqual(['*']);
		expect((events.options as Array<{ value: string }>).map((option) => option.value).sort()).toEqual(
			['*', 'conversation.closed', 'conversation.opened', 'message.delivered', 'message.failed', 'message.read', 'message.received', 'message.sent', 'optout.created', 'template.status_updated'],
		);
	});

	it('registers nothing remote: Flowella has no webhook API', async () => {
		const methods = node.webhookMethods.default;
		const context = {} as never;
		await expect(methods.checkExists.call(context)).resolves.toBe(true);
		await expect(methods.create.call(context)).resolves.toBe(true);
		await expect(methods.delete.call(context)).resolves.toBe(true);
	});

	it('tests the credential by the secret\'s shape', async () => {
		const test = node.methods.credentialTest.flowellaWebhookSecretShape;
		const run = (signingSecret: unknown) => test.call({} as ICredentialTestFunctions, { id: '1', name: 'x', type: 'flowellaWebhookApi', data: { signingSecret } as ICredentialDataDecryptedObject });
		await expect(run(SECRET)).resolves.toMatchObject({ status: 'OK' });
		await expect(run('flo_live_0123456789abcdef')).resolves.toEqual({ status: 'Error', message: expect.stringMatching(/API key/) });
		await expect(run('')).resolves.toMatchObject({ status: 'Error' });
	});
});
