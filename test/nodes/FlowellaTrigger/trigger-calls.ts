/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// The trigger's webhook() and execute() as n8n calls them, through narrow stand-ins for
// IWebhookFunctions and IExecuteFunctions: the request with its raw bytes, a response that
// records what was sent, the node's parameters and static data. Shared by the trigger's tests.
import type { ICheckProcessedOptions, IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import { buildDelivery, sampleEvent } from '../../../emulator/webhooks';
import type { ProcessedDataTable } from './processed-data';

export type TriggerModule = typeof import('../../../nodes/FlowellaTrigger/FlowellaTrigger.node');

export const SECRET = 'whsec_unit_test_0123456789abcdef';

export interface Call {
	status?: number;
	body?: unknown;
	result: { workflowData?: INodeExecutionData[][]; noWebhookResponse?: boolean };
}

export interface Setup {
	events?: string[];
	includeTestEvents?: boolean;
	mode?: 'webhook' | 'manual';
	staticData?: IDataObject;
	secret?: string;
	workflowId?: string;
	nodeId?: string;
	warnings?: string[];
	/** The node's credential id (n8n always has one; without it nothing is cached). */
	credentialId?: string;
	/** Counts the credential reads (each costs n8n a database query and a decryption). */
	reads?: { count: number };
}

export interface Delivery {
	raw: string | Buffer;
	headers: Record<string, string>;
}

/** A fresh copy of the node module: a new n8n process, with empty memory. */
export function freshProcess(): TriggerModule {
	let module: TriggerModule | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		module = require('../../../nodes/FlowellaTrigger/FlowellaTrigger.node');
	});
	return module!;
}

/** One request to the trigger's webhook(). */
export async function call(module: TriggerModule, delivery: Delivery, setup: Setup = {}): Promise<Call> {
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
		getCredentials: async () => {
			if (setup.reads) setup.reads.count += 1;
			return { signingSecret: setup.secret ?? SECRET };
		},
		getNodeParameter: (name: string, fallback: unknown) => (name in parameters ? parameters[name] : fallback),
		getMode: () => setup.mode ?? 'webhook',
		getNode: () => ({
			id: setup.nodeId ?? 'node-1',
			name: 'Flowella Trigger',
			credentials: setup.credentialId ? { flowellaWebhookApi: { id: setup.credentialId, name: 'Flowella webhook' } } : undefined,
		}),
		getWorkflow: () => ({ id: setup.workflowId ?? 'wf-1' }),
		getWorkflowStaticData: () => staticData,
		logger: { warn: (message: string) => setup.warnings?.push(message) },
		helpers: { returnJsonArray: (json: IDataObject) => [{ json }] },
	} as unknown as IWebhookFunctions;
	const result = await node.webhook.call(context);
	return { status: sent.status, body: sent.body, result };
}

export interface StepOptions {
	items?: INodeExecutionData[];
	mode?: string;
	/** n8n's `checkProcessedAndRecord` for this node (processed-data.ts), as a queue-mode worker has it. */
	processed?: ProcessedDataTable;
	warnings?: string[];
}

/** The trigger's step in the execution n8n starts; its static data is loaded per execution. */
export async function runStep(module: TriggerModule, staticData: IDataObject, { items = [{ json: { event: 'message.received' } }], mode = 'webhook', processed, warnings }: StepOptions = {}) {
	return new module.FlowellaTrigger().execute.call({
		getMode: () => mode,
		getWorkflow: () => ({ id: 'wf-1' }),
		getNode: () => ({ id: 'node-1' }),
		getWorkflowStaticData: () => staticData,
		getInputData: () => items,
		logger: { warn: (message: string) => warnings?.push(message) },
		helpers: {
			checkProcessedAndRecord: async (entries: Array<string | number>, scope: string, options: ICheckProcessedOptions) => {
				if (!processed) throw new Error('Instance needs to initialized before use. Make sure to call init()');
				expect([scope, options.mode]).toEqual(['node', 'entries']);
				return processed.checkProcessedAndRecord('n:node-1', entries, options.maxEntries);
			},
		},
	} as unknown as IExecuteFunctions);
}

/** What webhook() started the execution with: the input of the trigger's step. */
export const startedItems = (outcome: Call) => outcome.result.workflowData?.[0] ?? [];

export const signed = (type = 'message.received', options: { deliveryId?: string; body?: object; nowMs?: number } = {}) =>
	buildDelivery({ secret: SECRET, type, body: options.body ?? sampleEvent(type), deliveryId: options.deliveryId, nowMs: options.nowMs });

/** The events webhook() started the workflow with, without the keys it hands to execute() (queue-mode.test.ts). */
export const started = (outcome: Call) =>
	outcome.result.workflowData?.[0]?.map(({ json }) => {
		const event = { ...json };
		delete event.__flowellaClaim;
		return event;
	}) ?? [];
