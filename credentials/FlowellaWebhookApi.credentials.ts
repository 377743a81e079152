import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

// Tested by the Flowella Trigger's `methods.credentialTest` (testedBy): a signing secret only
// signs what Flowella sends, and Flowella has no endpoint that could check it remotely.
export class FlowellaWebhookApi implements ICredentialType {
	name = 'flowellaWebhookApi';

	displayName = 'Flowella Webhook API';

	icon: Icon = { light: 'file:../icons/flowella.svg', dark: 'file:../icons/flowella.dark.svg' };

	documentationUrl = 'https://github.com/flowella/n8n-nodes-flowella/blob/main/docs/trigger.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Signing Secret',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			hint: 'Shown once when you create the webhook in Flowella under Settings → Webhooks. The test URL and the production URL are two webhooks with two secrets: one credential each.',
		},
	];
}
