import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { pacers, rerunMemos } from '../../processState';
import type { Cancellation } from './cancel';
import { cancellationFor } from './cancel';
import type { ConnectionSettings } from './connection';
import { openConnection } from './connection';
import type { RefusalAdvice } from './errors';
import { mayHaveBeenSent } from './errors';
import { asNodeError } from './itemErrors';
import type { PageQuery } from './paginate';
import { PaginationError, readList } from './paginate';
import type { RequestPacer } from './pacer';
import type { RememberedOutcome } from './rerunMemo';
import type { AnswerCheck, FlowellaRequest } from './request';
import { flowellaRequest } from './request';

/** An answer that is an object with a string `id` (a message's, a job's). */
export function hasId(what: string): AnswerCheck {
	return (body) => {
		const answer = body as { id?: unknown } | null;
		return typeof answer === 'object' && answer !== null && typeof answer.id === 'string' ? undefined : `it has no ${what} id`;
	};
}

/**
 * What an operation's writes are, declared once in its file: whether sending one twice does no
 * harm (an upsert, an opt-out), or what it sends that must not arrive twice (a message), which
 * is then never retried once it may have reached Flowella.
 */
export type Writes = { safeToRepeat: true; advice?: RefusalAdvice } | { safeToRepeat: false; sends: string; advice?: RefusalAdvice };

/** What writes not safe to repeat send, in their errors' words ("message"); none for the others. */
export function sendsOf(writes: Writes | undefined): string | undefined {
	return writes && !writes.safeToRepeat ? writes.sends : undefined;
}

/**
 * Flowella, as one input item's requests see it: every request carries the item's index, its
 * Timeout and the execution's cancel signal, and goes through the shared pacer and the retries.
 */
export interface ItemClient {
	/** The item the requests are for (the first, for a request that carries several). */
	readonly itemIndex: number;
	/** A GET: safe to repeat. Returns Flowella's answer. */
	read(path: string, qs?: IDataObject): Promise<IDataObject>;
	/** A list, page by page: all of it, or its first `limit` entries. */
	readList(path: string, qs: IDataObject, limit: number | undefined): Promise<IDataObject[]>;
	/**
	 * A POST, as the operation's Writes declare it. Its outcome is remembered for n8n's re-runs of
	 * the node (Retry On Fail) for every item it carries: they get this answer, or this error when
	 * it may have been sent, and nothing is sent again.
	 */
	write(path: string, body: object, validate?: AnswerCheck): Promise<IDataObject>;
}

/**
 * One execution of the node's way to Flowella: the credential (read once), the pacer shared with
 * every execution on the same account, the retry policy, the re-run memo and the cancel carrier.
 */
export interface FlowellaClient {
	readonly concurrency: number;
	/** Stop, a workflow timeout, an item failing the node: what every wait and request listens to. */
	readonly cancellation: Cancellation;
	/** The requests of one item, or of one request that carries `items` (a bulk job's recipients, the first being `itemIndex`). */
	forItem(itemIndex: number, items?: number[]): ItemClient;
	/** What an earlier try of the node got for this item (n8n's Retry On Fail), whatever its fields evaluate to now. */
	recall(itemIndex: number): RememberedOutcome | undefined;
	/** Ends this try of the node: with its output when it returns, without when it throws. */
	close(output?: INodeExecutionData[]): void;
}

export interface ClientSettings {
	concurrency: number;
	/** Options → Max Requests Per Second; 0: no cap of the node's own. */
	maxRequestsPerSecond: number;
	/** Options → Timeout of one item, in ms. */
	timeoutOf(itemIndex: number): number;
	/** The operation's writes; none for an operation that only reads. */
	writes?: Writes;
}

export async function createClient(ctx: IExecuteFunctions, settings: ClientSettings): Promise<FlowellaClient> {
	const { concurrency, maxRequestsPerSecond, timeoutOf, writes } = settings;
	const cancellation = cancellationFor(ctx);
	const connection = await openConnection(ctx);
	const memo = rerunMemos.open(ctx, cancellation);
	// One pacer per Flowella account in this process: executions on the same limit share it. Opened
	// last, so nothing can throw before close() is there to free it.
	const usable: { settings: ConnectionSettings; pacer: RequestPacer } | { reason: string } = connection.ok
		? { settings: connection.settings, pacer: pacers.open(connection.settings.baseUrl, connection.settings.apiKey, concurrency, maxRequestsPerSecond) }
		: { reason: connection.reason };

	async function request(itemIndex: number, timeoutMs: number, request: Omit<FlowellaRequest, 'itemIndex' | 'signal'>, validate?: AnswerCheck) {
		// A credential that cannot be used fails each item, not the node: with On Error =
		// Continue, a node that throws has n8n pass the unsent items on as if they were sent.
		if ('reason' in usable) throw new NodeOperationError(ctx.getNode(), usable.reason, { itemIndex });
		const sent = { ...request, itemIndex, signal: cancellation.signal };
		return await flowellaRequest(ctx, { ...usable.settings, timeoutMs, pacer: usable.pacer }, sent, validate);
	}

	function forItem(itemIndex: number, items: number[] = [itemIndex]): ItemClient {
		let timeoutMs: number | undefined;
		const timeout = () => (timeoutMs ??= timeoutOf(itemIndex));
		return {
			itemIndex,
			async read(path, qs) {
				return (await request(itemIndex, timeout(), { method: 'GET', path, qs, idempotent: true })) as IDataObject;
			},
			async readList(path, qs, limit) {
				try {
					const fetchPage = async (page: PageQuery) => await request(itemIndex, timeout(), { method: 'GET', path, qs: { ...qs, ...page }, idempotent: true });
					return (await readList(fetchPage, limit)) as IDataObject[];
				} catch (error) {
					// Errors from a page's request already are node errors naming the item.
					if (!(error instanceof PaginationError)) throw asNodeError(ctx, error, itemIndex);
					throw new NodeOperationError(ctx.getNode(), `${error.message} [item ${itemIndex}]`, {
						itemIndex,
						description: 'Nothing was changed in Flowella. Try again later; if it keeps happening, tell Flowella support.',
					});
				}
			},
			async write(path, body, validate) {
				if (!writes) throw new NodeOperationError(ctx.getNode(), 'This operation declares no writes', { itemIndex });
				const post = { method: 'POST' as const, path, body, idempotent: writes.safeToRepeat, sends: sendsOf(writes), advice: writes.advice };
				try {
					const answer = (await request(itemIndex, timeout(), post, validate)) as IDataObject;
					memo?.remember(items, answer);
					return answer;
				} catch (caught) {
					const error = asNodeError(ctx, caught, itemIndex);
					if (mayHaveBeenSent(error)) memo?.rememberMaybeSent(items, error);
					throw error;
				}
			},
		};
	}

	return {
		concurrency,
		cancellation,
		forItem,
		recall: (itemIndex) => memo?.recall(itemIndex),
		close(output) {
			if ('pacer' in usable) usable.pacer.close();
			memo?.close(output);
			cancellation.dispose();
		},
	};
}
