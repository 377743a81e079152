// The credential's expressions, resolved by n8n-workflow's own expression engine.
import type { INode, INodeTypes } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { FlowellaApi } from '../../credentials/FlowellaApi.credentials';

const credential = new FlowellaApi();
const node: INode = { id: '1', name: 'Flowella', type: 'flowella', typeVersion: 1, position: [0, 0], parameters: {} };
const nodeTypes: INodeTypes = {
	getByName: () => ({ description: { properties: [] } }) as never,
	getByNameAndVersion: () => ({ description: { properties: [] } }) as never,
	getKnownTypes: () => ({}),
};
const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });

function resolve(expression: string, credentials: Record<string, unknown>) {
	return workflow.expression.getSimpleParameterValue(node, expression, 'internal', { $credentials: credentials } as never);
}

describe('FlowellaApi credential', () => {
	it('sends the key as a Bearer token, keeping the request\'s other headers', async () => {
		const { authenticate } = credential;
		if (typeof authenticate !== 'function') throw new Error('authenticate is a function, so n8n evaluates no template per request');
		const request = await authenticate({ apiKey: 'flo_abc' }, { url: '/api/v1/contacts', headers: { Accept: 'application/json' } });
		expect(request.headers).toEqual({ Accept: 'application/json', Authorization: 'Bearer flo_abc' });
	});

	it.each([
		['https://app.flowella.io', 'https://app.flowella.io'],
		['https://app.flowella.io/', 'https://app.flowella.io'],
		['  https://eu.flowella.io// ', 'https://eu.flowella.io'],
		['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
		['http://localhost:4010/', 'http://localhost:4010'],
		['http://[::1]:4010', 'http://[::1]:4010'],
		['http://app.flowella.io', 'https://base-url-must-start-with-https.invalid'],
		['http://localhost.attacker.io', 'https://base-url-must-start-with-https.invalid'],
		['app.flowella.io', 'https://base-url-must-start-with-https.invalid'],
	])('tests the key against %j via %j', (baseUrl, expected) => {
		expect(resolve(credential.test.request.baseURL as string, { baseUrl, apiKey: 'flo_x' })).toBe(expected);
		expect(credential.test.request.url).toBe('/api/v1/ping');
	});

	it('names the key rejection clearly', () => {
		const rule = credential.test.rules?.find((r) => r.type === 'responseCode' && r.properties.value === 401);
		expect(rule?.properties.message).toContain('Flowella rejected this API key');
	});
});
