// Runs real workflows in-process through n8n-core's WorkflowExecute: Manual Trigger → Rows →
// Flowella (→ Again → Rows, when the rows go through Flowella more than once). n8n's own code
// applies the node settings (Retry On Fail, On Error), pairedItem handling, run indexes,
// cancellation and the credential's expressions; only the credential store is ours.
import { Credentials, ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsExpressionResolveValues,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRun,
	ITriggerFunctions,
	IWorkflowExecuteAdditionalData,
	Workflow as WorkflowType,
} from 'n8n-workflow';
import { ICredentialsHelper, isExpression, NodeConnectionTypes, Workflow } from 'n8n-workflow';

import { FlowellaApi } from '../../credentials/FlowellaApi.credentials';
import { Flowella } from '../../nodes/Flowella/Flowella.node';

const manualTrigger: INodeType = {
	description: {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: '',
		defaults: { name: 'When clicking' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	// As n8n-nodes-base's Manual Trigger: in manual mode WorkflowExecute waits for this emit.
	async trigger(this: ITriggerFunctions) {
		const manualTriggerFunction = async () => {
			this.emit([this.helpers.returnJsonArray([{}])]);
		};
		return { manualTriggerFunction };
	},
};

/** Stands in for a Google Sheets node: emits the rows given as a parameter. */
const rowsNode: INodeType = {
	description: {
		displayName: 'Rows',
		name: 'rows',
		group: ['transform'],
		version: 1,
		description: '',
		defaults: { name: 'Rows' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Rows', name: 'rows', type: 'json', default: '[]' }],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const rows = this.getNodeParameter('rows', 0) as IDataObject[] | string;
		const list = typeof rows === 'string' ? (JSON.parse(rows) as IDataObject[]) : rows;
		return [list.map((json) => ({ json, pairedItem: { item: 0 } }))];
	},
};

/** Loops back to Rows until Flowella has run `passes` times, as a loop back or Loop Over Items would. */
const againNode: INodeType = {
	description: {
		displayName: 'Again',
		name: 'again',
		group: ['transform'],
		version: 1,
		description: '',
		defaults: { name: 'Again' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Passes', name: 'passes', type: 'number', default: 1 }],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const passes = this.getNodeParameter('passes', 0) as number;
		const runIndex = this.getWorkflowDataProxy(0).$runIndex as number;
		return [runIndex + 1 < passes ? [{ json: {}, pairedItem: { item: 0 } }] : []];
	},
};

const flowella = new Flowella();
/** Per execution: called with the context of every Flowella run, before the node starts. */
const probes = new Map<string, (ctx: IExecuteFunctions) => void>();

/** The Flowella node as n8n gets it, with a probe on the requests it sends. */
const probedFlowella: INodeType = {
	description: flowella.description,
	async execute(this: IExecuteFunctions) {
		probes.get(this.getExecutionId())?.(this);
		return await flowella.execute.call(this);
	},
};

const nodeTypeMap: Record<string, INodeType> = {
	manualTrigger,
	rows: rowsNode,
	again: againNode,
	flowella: probedFlowella,
};

const nodeTypes: INodeTypes = {
	getByName: (type) => nodeTypeMap[type],
	getByNameAndVersion: (type) => nodeTypeMap[type],
	getKnownTypes: () => ({}),
};

const flowellaApi = new FlowellaApi();

/**
 * The credential store. Applying a generic `authenticate` lives in n8n's CLI package, not in
 * n8n-core, so this is a port of that branch; the expression itself is resolved by n8n-workflow.
 */
class CredentialsStore extends ICredentialsHelper {
	/** How many times n8n asked for the decrypted credential (a database read and a decryption in n8n). */
	decryptions = 0;

	constructor(private readonly data: ICredentialDataDecryptedObject) {
		super();
	}

	getParentTypes() {
		return [];
	}

	isCredentialUsableByNode() {
		return true;
	}

	getCredentialsProperties(): INodeProperties[] {
		return flowellaApi.properties;
	}

	async getDecrypted() {
		this.decryptions += 1;
		return { ...this.data };
	}

	async getCredentials() {
		return new Credentials({ id: null, name: '' }, '', '');
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: WorkflowType,
		node: INode,
	): Promise<IHttpRequestOptions> {
		if (typeName !== flowellaApi.name) throw new Error(`unknown credential type ${typeName}`);
		// As n8n's CredentialsHelper: a function is called; a generic template is resolved with n8n's expressions.
		const { authenticate } = flowellaApi;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		const resolve = (value: string) =>
			isExpression(value)
				? String(
						workflow.expression.getSimpleParameterValue(
							node,
							value,
							'internal',
							{ $credentials: credentials } as unknown as ICredentialsExpressionResolveValues as never,
							undefined,
							'',
						) ?? '',
					)
				: value;
		const target = requestOptions as unknown as Record<string, Record<string, string>>;
		for (const [where, entries] of Object.entries(authenticate.properties)) {
			target[where] ??= {};
			for (const [key, value] of Object.entries(entries as Record<string, string>)) {
				target[where][resolve(key)] = resolve(value);
			}
		}
		return requestOptions;
	}
}

export interface NodeSettings {
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
}

export interface RunOptions {
	rows: IDataObject[];
	/** The Flowella API credential; null when none is selected on the node. */
	credentials: { apiKey: string; baseUrl: string } | null;
	/** Flowella node parameters; the defaults map `phone` from each row. */
	parameters?: IDataObject;
	settings?: NodeSettings;
	/** Runs the rows through Flowella this many times in one execution (default 1). */
	passes?: number;
	/** Cancels the execution when it aborts, as n8n's Stop button and workflow timeout do. */
	cancelSignal?: AbortSignal;
	/** The workflow's timezone setting (IANA name). */
	timezone?: string;
}

export interface FlowellaRun {
	run: IRun;
	/** The Flowella node's outputs: [success] or [success, error] with the error output. */
	outputs: INodeExecutionData[][];
	/** The outputs of each of Flowella's runs in the execution, by run index. */
	runs: INodeExecutionData[][][];
	/** The error that stopped the run, if any. */
	error?: IRun['data']['resultData']['error'];
	/** Requests the node asked n8n to send (whether or not they reached the server). */
	attempts: number;
	/** Of those, how many it asked for after the execution was cancelled. */
	attemptsAfterCancel: number;
	/** How many times the credential was decrypted for the run. */
	credentialReads: number;
}

export const rowParameters: IDataObject = {
	resource: 'contact',
	operation: 'upsert',
	phone: '={{ $json.phone }}',
	additionalFields: { name: '={{ $json.name }}', email: '={{ $json.email }}', waId: '={{ $json.waId }}' },
	options: {},
};

const URLS = {
	restApiUrl: 'http://localhost/rest',
	instanceBaseUrl: 'http://localhost/',
	formBaseUrl: 'http://localhost/form',
	formWaitingBaseUrl: 'http://localhost/form-waiting',
	formTestBaseUrl: 'http://localhost/form-test',
	webhookBaseUrl: 'http://localhost/webhook',
	webhookWaitingBaseUrl: 'http://localhost/webhook-waiting',
	webhookTestBaseUrl: 'http://localhost/webhook-test',
	mcpBaseUrl: 'http://localhost/mcp',
	mcpTestBaseUrl: 'http://localhost/mcp-test',
};

let executionCount = 0;

export async function runFlowellaWorkflow(options: RunOptions): Promise<FlowellaRun> {
	const executionId = `exec-${++executionCount}`;
	const passes = options.passes ?? 1;
	const nodes: INode[] = [
		{ id: '1', name: 'Trigger', type: 'manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: '2', name: 'Rows', type: 'rows', typeVersion: 1, position: [200, 0], parameters: { rows: options.rows as never } },
		{
			id: '3',
			name: 'Flowella',
			type: 'flowella',
			typeVersion: 1,
			position: [400, 0],
			parameters: (options.parameters ?? rowParameters) as INode['parameters'],
			credentials: options.credentials ? { flowellaApi: { id: 'cred-1', name: 'Flowella' } } : undefined,
			...options.settings,
		},
	];
	const connections: WorkflowType['connectionsBySourceNode'] = {
		Trigger: { main: [[{ node: 'Rows', type: NodeConnectionTypes.Main, index: 0 }]] },
		Rows: { main: [[{ node: 'Flowella', type: NodeConnectionTypes.Main, index: 0 }]] },
	};
	if (passes > 1) {
		nodes.push({ id: '4', name: 'Again', type: 'again', typeVersion: 1, position: [600, 0], parameters: { passes } });
		connections.Flowella = { main: [[{ node: 'Again', type: NodeConnectionTypes.Main, index: 0 }]] };
		connections.Again = { main: [[{ node: 'Rows', type: NodeConnectionTypes.Main, index: 0 }]] };
	}
	const workflowData = { id: 'wf-1', name: 'Flowella test', nodes, connections, active: false, settings: options.timezone ? { timezone: options.timezone } : {} };
	const workflow = new Workflow({ ...workflowData, nodeTypes });
	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData as never);

	const credentialsHelper = new CredentialsStore(options.credentials ?? {});
	const additionalData = {
		...URLS,
		credentialsHelper,
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		variables: {},
		executeWorkflow: async () => {
			throw new Error('not supported in this harness');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not supported in this harness');
		},
	} as unknown as IWorkflowExecuteAdditionalData;

	const counts = { attempts: 0, attemptsAfterCancel: 0 };
	probes.set(executionId, (ctx) => {
		const send = ctx.helpers.httpRequestWithAuthentication;
		ctx.helpers.httpRequestWithAuthentication = async function (this: IExecuteFunctions, ...args) {
			counts.attempts += 1;
			if (options.cancelSignal?.aborted) counts.attemptsAfterCancel += 1;
			return await send.apply(this, args);
		};
	});

	const execution = new WorkflowExecute(additionalData, 'manual').run({
		workflow,
		startNode: workflow.getNode('Trigger') ?? undefined,
	} as never);
	const cancel = () => execution.cancel();
	options.cancelSignal?.addEventListener('abort', cancel, { once: true });
	if (options.cancelSignal?.aborted) cancel();
	let run: IRun;
	try {
		run = await execution;
	} finally {
		options.cancelSignal?.removeEventListener('abort', cancel);
		probes.delete(executionId);
	}
	const runs = (run.data.resultData.runData.Flowella ?? []).map((task) =>
		(task.data?.main ?? []).map((output) => output ?? []),
	);
	return { run, outputs: runs[0] ?? [], runs, error: run.data.resultData.error, ...counts, credentialReads: credentialsHelper.decryptions };
}
