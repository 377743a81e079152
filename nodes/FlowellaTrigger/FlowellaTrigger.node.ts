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
import { deliveryKeys, seenKeysFor } from './dedup';
import { ALL_EVENTS, EVENT_OPTIONS, isWanted } from './events';
import { SecretCache } from './secret';
import { normalizeSecret, secretShapeProblem } from './verify';

const CREDENTIAL = 'flowellaWebhookApi';
/** Where the de-duplication keys are mirrored in the node's static data, for restarts. */
const STATIC_SEEN = 'seenDeliveries';
/** Signing secrets of this process, by credential id. */
const secrets = new SecretCache();

export class FlowellaTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Flowella Trigger',
		name: 'flowellaTrigger',
		icon: { light: 'file:../../icons/flowella.svg', dark: 'file:../../icons/flowella.dark.svg' },
		group: ['trigger'],
		// Both versions behave the same here. n8n treats a version-1 webhook node the legacy way:
		// it evaluates a binary-data expression for every request (an expression isolate in n8n
		// 2.x), which version 2, like n8n's own Webhook node 2, skips.
		version: [1, 2],
		defaultVersion: 2,
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
				// Without it n8n answers an accepted delivery with the literal text "firstEntryJson";
				// Flowella only needs a 2xx.
				responseData: 'noData',
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

		const nowMs = Date.now();
		const credentialId = this.getNode().credentials?.[CREDENTIAL]?.id;
		const load = async () => normalizeSecret((await this.getCredentials(CREDENTIAL)).signingSecret);
		let secret = credentialId ? await secrets.get(credentialId, load, nowMs) : { secret: await load(), cached: false };
		let delivery = checkDelivery(request.rawBody, request.headers, secret.secret, nowMs);
		if (!delivery.ok && delivery.signature && secret.cached && credentialId) {
			// The secret may have changed since it was cached: check against the stored one.
			secret = await secrets.get(credentialId, load, nowMs, true);
			delivery = checkDelivery(request.rawBody, request.headers, secret.secret, nowMs);
		}
		if (!delivery.ok) {
			this.logger.warn(`Flowella Trigger refused a delivery (${delivery.status}): ${delivery.reason}`);
			return answer(delivery.status, { error: delivery.reason });
		}

		const events = this.getNodeParameter('events', [ALL_EVENTS]) as string[];
		const includeTestEvents = this.getNodeParameter('options.includeTestEvents', true) as boolean;
		if (!isWanted(delivery.eventType, events, includeTestEvents)) {
			return answer(200, { received: true, started: false, reason: 'event type not selected' });
		}

		const keys = deliveryKeys(delivery.raw, delivery.deliveryId, delivery.eventType, delivery.body);
		const production = this.getMode() !== 'manual';
		const store = seenKeysFor(scopeOf(this.getWorkflow().id, this.getNode().id, production));
		const staticData = production ? this.getWorkflowStaticData('node') : undefined;
		// n8n loads static data for each request: merging it is a no-op unless the mirror changed.
		if (staticData) store.adopt(staticData[STATIC_SEEN], nowMs);
		// From here to the return nothing awaits: the check and the record are one step.
		if (!store.claim(keys, nowMs)) return answer(200, { received: true, started: false, reason: 'duplicate delivery' });

		return { workflowData: [this.helpers.returnJsonArray(eventItem(delivery))] };
	}

	// Runs as the first step of the execution the webhook started, and passes the event on. A
	// write from webhook() is lost when n8n starts the execution (building it resets the static
	// data's "changed" flag before the webhook's save); written here, n8n saves it when the
	// execution ends. At most once a second while events keep coming, and by the last of a burst.
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		if (this.getMode() !== 'manual') {
			const store = seenKeysFor(scopeOf(this.getWorkflow().id, this.getNode().id, true));
			const nowMs = Date.now();
			if (store.runStarted(nowMs)) this.getWorkflowStaticData('node')[STATIC_SEEN] = store.mirror(nowMs);
		}
		return [this.getInputData()];
	}
}

function scopeOf(workflowId: string | undefined, nodeId: string, production: boolean): string {
	return `${workflowId ?? ''}/${nodeId}/${production ? 'production' : 'test'}`;
}
