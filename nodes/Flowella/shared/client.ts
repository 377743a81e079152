import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { openConnection } from './connection';
import type { RequestPacer } from './pacer';
import { pacers } from './pacer';
import type { RerunMemo } from './rerunMemo';
import { openRerunMemo } from './rerunMemo';
import { executionCancelSignal } from './stop';
import type { FlowellaRequest } from './transport';
import { flowellaRequest } from './transport';

export interface ClientRequest extends FlowellaRequest {
	/** Options → Timeout of the item. */
	timeoutMs: number;
	/** Checks a 2xx body; a problem makes it an unexpected answer (retried only if idempotent). */
	validate?: (body: unknown) => string | undefined;
}

/**
 * Everything one execution of the node shares: the credential (read once), the pacer that keeps
 * all requests under Flowella's rate limit, the retry policy, the re-run memo, and the cancel
 * signal. Operations only say what to send and whether it is safe to repeat.
 */
export interface FlowellaClient {
	readonly concurrency: number;
	/** Aborts on Stop and when the workflow times out. */
	readonly cancelSignal?: AbortSignal;
	/** Answers of this run's earlier tries, when n8n re-runs the node (Retry On Fail). */
	readonly memo?: RerunMemo;
	request(request: ClientRequest): Promise<unknown>;
	/** Ends this try of the node: with its output when it returns, without when it throws. */
	close(output?: INodeExecutionData[]): void;
}

export async function createClient(
	ctx: IExecuteFunctions,
	{ concurrency, maxRequestsPerSecond = 0 }: { concurrency: number; maxRequestsPerSecond?: number },
): Promise<FlowellaClient> {
	const cancelSignal = executionCancelSignal(ctx);
	const connection = await openConnection(ctx);
	const memo = openRerunMemo(ctx, cancelSignal);
	// One pacer per Flowella account in this process: executions on the same limit share it. Opened
	// last, so nothing can throw before close() is there to free it.
	const pacer = connection.ok ? pacers.open(connection.settings.baseUrl, connection.settings.apiKey, concurrency, maxRequestsPerSecond) : undefined;
	return {
		concurrency,
		cancelSignal,
		memo,
		async request({ timeoutMs, validate, ...request }) {
			// A credential that cannot be used fails each item, not the node: with On Error =
			// Continue, a node that throws has n8n pass the unsent items on as if they were sent.
			if (!connection.ok) throw new NodeOperationError(ctx.getNode(), connection.reason, { itemIndex: request.itemIndex });
			return await flowellaRequest(ctx, { ...connection.settings, timeoutMs, pacer: pacer as RequestPacer /* open whenever the connection is */ }, request, validate);
		},
		close(output) {
			pacer?.close();
			memo?.close(output);
		},
	};
}
