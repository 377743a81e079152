'use strict';
// n8n's own GitHub Trigger as a third contender for bench/trigger-load.js: a signed-webhook
// trigger of n8n's that can be activated here without the internet. Its credential has a
// `server` field (for GitHub Enterprise), so activation talks to the small stand-in for GitHub's
// repository-hooks API below. create() sends the secret it generated in the hook's config; the
// stand-in keeps it, and the benchmark signs each delivery with it (X-Hub-Signature-256), as
// GitHub does. (Stripe Trigger's API address is fixed to api.stripe.com: it cannot be activated
// here.)
const crypto = require('node:crypto');
const http = require('node:http');

const { nodeId, triggeredWorkflow } = require('../tools/workflows');

const OWNER = 'flowella';
const REPOSITORY = 'bench';

/** Answers what GitHub Trigger's checkExists/create/delete ask; `secret()` is the last created hook's secret. */
async function startGithubHooksApi() {
	const hooks = new Map();
	let nextId = 1000;
	const server = http.createServer((request, response) => {
		let text = '';
		request.on('data', (chunk) => (text += chunk));
		request.on('end', () => {
			const send = (status, body) => {
				response.writeHead(status, { 'content-type': 'application/json' });
				response.end(body === undefined ? '' : JSON.stringify(body));
			};
			const base = `/repos/${OWNER}/${REPOSITORY}/hooks`;
			const url = new URL(request.url ?? '/', 'http://localhost');
			if (url.pathname === base && request.method === 'POST') {
				const body = JSON.parse(text || '{}');
				const hook = { id: nextId++, active: true, events: body.events ?? [], config: { url: body.config?.url, content_type: 'json' } };
				hooks.set(String(hook.id), { ...hook, secret: body.config?.secret });
				return send(201, hook);
			}
			const id = url.pathname.startsWith(`${base}/`) ? url.pathname.slice(base.length + 1) : undefined;
			const hook = id === undefined ? undefined : hooks.get(id);
			if (!hook) return send(404, { message: 'Not Found' });
			if (request.method === 'DELETE') {
				hooks.delete(id);
				return send(204);
			}
			const { secret, ...visible } = hook;
			return send(200, visible);
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	return {
		url: `http://127.0.0.1:${address.port}`,
		secret: () => [...hooks.values()].at(-1)?.secret,
		close: () => new Promise((resolve) => server.close(resolve)),
	};
}

/** GitHub Trigger (all events) → No-Op; its URL is /webhook/<webhookId>/webhook. */
function githubWorkflow({ id, webhookId, credential }) {
	const trigger = {
		parameters: {
			authentication: 'accessToken',
			owner: { __rl: true, mode: 'name', value: OWNER },
			repository: { __rl: true, mode: 'name', value: REPOSITORY },
			events: ['*'],
			options: {},
		},
		id: nodeId(id, 'GitHub Trigger'),
		name: 'GitHub Trigger',
		type: 'n8n-nodes-base.githubTrigger',
		typeVersion: 1,
		position: [0, 0],
		webhookId,
		credentials: { githubApi: { id: credential.id, name: credential.name } },
	};
	return triggeredWorkflow({ id, name: 'bench: n8n GitHub Trigger', trigger });
}

/** An `issues` event signed the way GitHub signs: HMAC-SHA256 of the raw body, hex, in X-Hub-Signature-256. */
function githubDelivery(secret, text) {
	const raw = JSON.stringify({
		action: 'opened',
		issue: { number: 1, title: text, body: `${text}: a message body of about the size Flowella sends`, user: { login: 'someone' } },
		repository: { full_name: `${OWNER}/${REPOSITORY}` },
		sender: { login: 'someone' },
	});
	return {
		raw,
		headers: {
			'content-type': 'application/json',
			'user-agent': 'GitHub-Hookshot/bench',
			'x-github-event': 'issues',
			'x-github-delivery': crypto.randomUUID(),
			'x-hub-signature-256': `sha256=${crypto.createHmac('sha256', secret).update(raw).digest('hex')}`,
		},
	};
}

module.exports = { startGithubHooksApi, githubWorkflow, githubDelivery };
