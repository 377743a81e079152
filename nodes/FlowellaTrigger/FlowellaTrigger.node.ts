import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { checkDelivery, eventItem } from './delivery';
import { deliveryKey, MIRROR_MAX_KEYS, seenKeysFor } from './dedup';
import { ALL_EVENTS, EVENT_OPTIONS, isWanted } from './events';
import { normalizeSecret, secretShapeProblem } from './verify';

const CREDENTIAL = 'flowellaWebhookApi';
/** Where the de-duplication keys are mirrored in the node's static data, for restarts. */
const STATIC_SEEN = 'seenDeliveries';

export class FlowellaTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Flowella Trigger',
		name: 'flowellaTrigger',
		icon: { light: 'file:../../icons/flowella.svg', dark: 'file:../../icons/flowella.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description: 'Starts the workflow when Flowella sends a signed webhook event (WhatsApp messages, conversations, opt-outs)',
		defaults: { name: 'Flowella Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// Literal names: n8n's lint reads them from the source to find the credential's test.
		credentials: [{ name: 'flowellaWebhookApi', required: true, testedBy: 'flowellaWebhookSecretShape' }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// The URL is /webhook/<the node's webhookId>: nothing to type, nothing to collide.
				path: '',
				isFullPath: true,
			},
		],
		properties: [
			{
				displayName:
					'Copy the URL above into Flowella → Settings → Webhooks (the Test URL while you test, the Production URL once the workflow is active: they differ), pick the same events there, and paste the signing secret Flowella shows into the credential. Flowella only sends to public https:// URLs.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: [ALL_EVENTS],
				options: EVENT_OPTIONS,
				description: 'Which events start the workflow. Others are answered 200 and start nothing, so Flowella does not retry them.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Include Test Events',
						name: 'includeTestEvents',
						type: 'boolean',
						default: true,
						description: 'Whether the webhook.test event from Flowella\'s "Send test" button starts the workflow (so "Listen for test event" works with it)',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: {
			// A signing secret only signs what Flowella sends: no request can check it, its shape can.
			async flowellaWebhookSecretShape(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const problem = secretShapeProblem(credential.data?.signingSecret);
				if (problem) return { status: 'Error', message: problem };
				return {
					status: 'OK',
					message: 'The secret has the right shape. Flowella\'s "Send test" shows whether it matches.',
				};
			},
		},
	};

	// Flowella has no API to register webhooks: the user pastes the URL into Settings → Webhooks.
	// n8n calls these on activation; they change nothing remote and say the webhook exists.
	webhookMethods = {
		default: {
			async checkExists(): Promise<boolean> {
				return true;
			},
			async create(): Promise<boolean> {
				return true;
			},
			async delete(): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject();
		const response = this.getResponseObject();
		const answer = (status: number, body: IDataObject): IWebhookResponseData => {
			response.status(status).json(body);
			return { noWebhookResponse: true };
		};

		const credentials = await this.getCredentials(CREDENTIAL);
		const nowMs = Date.now();
		const delivery = checkDelivery(request.rawBody, request.headers, normalizeSecret(credentials.signingSecret), nowMs);
		if (!delivery.ok) {
			this.logger.warn(`Flowella Trigger refused a delivery (${delivery.status}): ${delivery.reason}`);
			return answer(delivery.status, { error: delivery.reason });
		}

		const events = this.getNodeParameter('events', [ALL_EVENTS]) as string[];
		const includeTestEvents = this.getNodeParameter('options.includeTestEvents', true) as boolean;
		if (!isWanted(delivery.eventType, events, includeTestEvents)) {
			return answer(200, { received: true, started: false, reason: 'event type not selected' });
		}

		const key = deliveryKey(delivery.deliveryId, delivery.eventType, delivery.body);
		if (key !== undefined) {
			const production = this.getMode() !== 'manual';
			const store = seenKeysFor(scopeOf(this.getWorkflow().id, this.getNode().id, production));
			const staticData = this.getWorkflowStaticData('node');
			if (production) store.merge(staticData[STATIC_SEEN], nowMs);
			// From here to the return nothing awaits: the check and the record are one step.
			if (!store.claim(key, nowMs)) return answer(200, { received: true, started: false, reason: 'duplicate delivery' });
			if (production) staticData[STATIC_SEEN] = store.newest(MIRROR_MAX_KEYS);
		}

		return { workflowData: [this.helpers.returnJsonArray(eventItem(delivery))] };
	}

	// Runs as the first step of the execution the webhook started, and passes the event on. n8n
	// builds that execution from the same static data object, which clears its "changed" flag
	// before the webhook's own save: writing the keys again here has n8n save them when the
	// execution ends (a restart then still knows them).
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const production = this.getMode() !== 'manual';
		if (production) {
			const store = seenKeysFor(scopeOf(this.getWorkflow().id, this.getNode().id, production));
			if (store.size > 0) this.getWorkflowStaticData('node')[STATIC_SEEN] = store.newest(MIRROR_MAX_KEYS);
		}
		return [this.getInputData()];
	}
}

function scopeOf(workflowId: string | undefined, nodeId: string, production: boolean): string {
	return `${workflowId ?? ''}/${nodeId}/${production ? 'production' : 'test'}`;
}
