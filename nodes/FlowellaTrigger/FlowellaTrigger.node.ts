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
import { NodeConnectionTypes, sleep } from 'n8n-workflow';
import { randomBytes } from 'crypto';

import { checkDelivery, eventItem } from './delivery';
import { seenDeliveries, sharedClaims, triggerSecrets } from '../processState';
import { deliveryKeys } from './dedup';
import { ALL_EVENTS, EVENT_OPTIONS, isWanted } from './events';
import { claimShared, SHARED_MAX_ENTRIES } from './shared-claim';
import { normalizeSecret, secretShapeProblem } from './verify';

const CREDENTIAL = 'flowellaWebhookApi';
/** Where the de-duplication keys are mirrored in the node's static data, for restarts. */
const STATIC_SEEN = 'seenDeliveries';
/**
 * Carries a production delivery's keys from webhook() to execute(), which removes it: the next
 * node never sees it. In queue mode execute() runs on a worker, where nothing else tells them.
 */
const CLAIM_FIELD = '__flowellaClaim';
/** This n8n process: execute() checks n8n's shared store only when webhook() ran in another one. */
const PROCESS_ID = randomBytes(9).toString('base64url');

interface Claim {
	keys: string[];
	process: string;
}

function isClaim(value: unknown): value is Claim {
	const claim = value as Claim | undefined;
	return typeof claim?.process === 'string' && Array.isArray(claim.keys) && claim.keys.every((key) => typeof key === 'string');
}

export class FlowellaTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Flowella Trigger',
		name: 'flowellaTrigger',
		icon: { light: 'file:../../icons/flowella.svg', dark: 'file:../../icons/flowella.dark.svg' },
		group: ['trigger'],
		// One version, numbered 2 from the first release: n8n treats a version-1 webhook node the
		// legacy way, evaluating a binary-data expression for every request (an expression isolate
		// in n8n 2.x), which it skips from version 2 on, as for its own Webhook node 2.
		version: 2,
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
		let secret = credentialId ? await triggerSecrets.get(credentialId, load, nowMs) : { secret: await load(), cached: false };
		let delivery = checkDelivery(request.rawBody, request.headers, secret.secret, nowMs);
		if (!delivery.ok && delivery.signature && secret.cached && credentialId) {
			// The secret may have changed since it was cached: check against the stored one.
			secret = await triggerSecrets.get(credentialId, load, nowMs, true);
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
		const store = seenDeliveries.get(scopeOf(this.getWorkflow().id, this.getNode().id, production));
		const staticData = production ? this.getWorkflowStaticData('node') : undefined;
		// n8n loads static data for each request: merging it is a no-op unless the mirror changed.
		if (staticData) store.adopt(staticData[STATIC_SEEN], nowMs);
		// From here to the return nothing awaits: the check and the record are one step.
		if (!store.claim(keys, nowMs)) return answer(200, { received: true, started: false, reason: 'duplicate delivery' });

		const item = eventItem(delivery);
		if (production) item[CLAIM_FIELD] = { keys, process: PROCESS_ID } satisfies Claim;
		return { workflowData: [this.helpers.returnJsonArray(item)] };
	}

	// Runs as the first step of the execution the webhook started, and passes the event on.
	// - Mirrors the keys to static data. A write from webhook() is lost when n8n starts the
	//   execution (building it resets the static data's "changed" flag before the webhook's save);
	//   written here, n8n saves it when the execution ends. At most once a second while events
	//   keep coming, and by the last of a burst.
	// - In queue mode (this process is not the one whose webhook() took the request), records the
	//   keys in n8n's de-duplication store, shared by every process, and ends the execution here,
	//   with no output, when another process's execution holds the event.
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const production = this.getMode() !== 'manual';
		const scope = scopeOf(this.getWorkflow().id, this.getNode().id, true);
		if (production) {
			const store = seenDeliveries.get(scope);
			const nowMs = Date.now();
			if (store.runStarted(nowMs)) this.getWorkflowStaticData('node')[STATIC_SEEN] = store.mirror(nowMs);
		}
		const passed: INodeExecutionData[] = [];
		for (const item of this.getInputData()) {
			const { [CLAIM_FIELD]: claim, ...json } = item.json;
			if (production && isClaim(claim) && claim.process !== PROCESS_ID && (await heldElsewhere(this, scope, claim))) continue;
			passed.push(claim === undefined ? item : { ...item, json });
		}
		return [passed];
	}
}

/** Whether another execution, in any process, recorded the event first (n8n's processed_data). */
async function heldElsewhere(context: IExecuteFunctions, scope: string, claim: Claim): Promise<boolean> {
	const shared = sharedClaims.get(scope);
	const call = async (entries: string[]) => context.helpers.checkProcessedAndRecord(entries, 'node', { mode: 'entries', maxEntries: SHARED_MAX_ENTRIES });
	const token = `t${randomBytes(12).toString('base64url')}`;
	const verdict = await claimShared((entries) => shared.record(entries, call), claim.keys, token, sleep);
	if (verdict === 'unsure') {
		context.logger.warn('Flowella Trigger: the event could not be checked against other n8n processes (n8n\'s de-duplication store kept failing or losing the record); it runs');
	}
	return verdict === 'duplicate';
}

function scopeOf(workflowId: string | undefined, nodeId: string, production: boolean): string {
	return `${workflowId ?? ''}/${nodeId}/${production ? 'production' : 'test'}`;
}
