import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';

import { checkBaseUrl } from './baseUrl';
import { keyPattern } from './redact';
import { retryPolicyFromNode } from './retry';
import type { FlowellaConnection } from './request';

export type ConnectionSettings = Omit<FlowellaConnection, 'timeoutMs' | 'pacer'>;

/**
 * Reads the credential and the node's retry settings once per execution. A credential that
 * cannot be read fails every item rather than the node, which with On Error = Continue would
 * pass the unsent rows on as if they had been sent.
 */
export async function openConnection(
	ctx: IExecuteFunctions,
): Promise<{ ok: true; settings: ConnectionSettings } | { ok: false; reason: string }> {
	let credentials: ICredentialDataDecryptedObject & { apiKey?: string; baseUrl?: string };
	try {
		credentials = await ctx.getCredentials<ICredentialDataDecryptedObject & { apiKey?: string; baseUrl?: string }>('flowellaApi');
	} catch (error) {
		return { ok: false, reason: error instanceof Error ? error.message : String(error) };
	}
	const base = checkBaseUrl(credentials.baseUrl);
	if (!base.ok) return base;
	return {
		ok: true,
		settings: {
			baseUrl: base.baseUrl,
			apiKey: String(credentials.apiKey ?? ''),
			keyPattern: keyPattern(String(credentials.apiKey ?? '')),
			credentials,
			retry: retryPolicyFromNode(ctx.getNode()),
		},
	};
}
