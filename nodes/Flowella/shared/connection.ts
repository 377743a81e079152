import type { IExecuteFunctions } from 'n8n-workflow';

import { checkBaseUrl } from './baseUrl';
import { retryPolicyFromNode } from './retry';
import type { FlowellaConnection } from './transport';

export type ConnectionSettings = Omit<FlowellaConnection, 'timeoutMs' | 'pacer'>;

/** Reads the credential and the node's retry settings once per execution. */
export async function openConnection(
	ctx: IExecuteFunctions,
): Promise<{ ok: true; settings: ConnectionSettings } | { ok: false; reason: string }> {
	const credentials = await ctx.getCredentials<{ apiKey?: string; baseUrl?: string }>('flowellaApi');
	const base = checkBaseUrl(credentials.baseUrl);
	if (!base.ok) return base;
	return {
		ok: true,
		settings: {
			baseUrl: base.baseUrl,
			apiKey: String(credentials.apiKey ?? ''),
			retry: retryPolicyFromNode(ctx.getNode()),
		},
	};
}
