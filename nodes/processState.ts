// Everything the package keeps in an n8n process beyond one execution, in one place: for each
// store, how big it can get, when it is freed, and what it means in queue mode (where the main
// process, each worker and each webhook process has its own copy, sharing nothing).
import { sleep } from 'n8n-workflow';

import { PacerRegistry } from './Flowella/transport/pacer';
import { RerunMemos } from './Flowella/transport/rerunMemo';
import { SeenKeys } from './FlowellaTrigger/dedup';
import { SecretCache } from './FlowellaTrigger/secret';
import { SharedStore } from './FlowellaTrigger/shared-claim';

/** Most trigger nodes (workflow, node, test or production URL) a process keeps a store for. */
export const MAX_TRIGGER_SCOPES = 100;

/**
 * One store per trigger node, at most `max` of them: the one used longest ago is dropped first
 * (n8n tells a node nothing when its workflow is deactivated or deleted, so use is all there is).
 */
export class StoresByScope<T> {
	private readonly stores = new Map<string, T>();

	constructor(
		readonly max: number,
		private readonly create: () => T,
	) {}

	get(scope: string): T {
		let store = this.stores.get(scope);
		if (store === undefined) store = this.create();
		else this.stores.delete(scope);
		this.stores.set(scope, store);
		while (this.stores.size > this.max) this.stores.delete(this.stores.keys().next().value as string);
		return store;
	}

	get size(): number {
		return this.stores.size;
	}
}

/**
 * Flowella node: one request pacer per Flowella account (a digest of base URL + API key, never the
 * key), shared by the executions running on it.
 * - Size: one entry per account in use right now; each holds its executions' waiting requests.
 * - Freed: when the last execution using the account closes (also when the node throws).
 * - Queue mode: one per worker process; workers learn of each other only through Flowella's 429s
 *   (Options → Max Requests Per Second splits a limit by hand: docs/queue-mode.md).
 */
export const pacers = new PacerRegistry();

/**
 * Flowella node: what a run of the node got for each item, so n8n's Retry On Fail re-run does not
 * send it again. Only for nodes with Retry On Fail on.
 * - Size: one entry per run of such a node that n8n may still re-run, holding one outcome per item
 *   that reached Flowella.
 * - Freed: after the run's last try, after a try n8n will not follow with another, on Stop or a
 *   workflow timeout, at the end of the execution (n8n 2.x), and in any case 30 minutes after its
 *   last try (IDLE_EXPIRY_MS).
 * - Queue mode: n8n re-runs a node within the same execution, on the same worker, so a worker's own
 *   memo is all a re-run needs.
 */
export const rerunMemos = new RerunMemos();

/**
 * Flowella Trigger: the signing secret of each credential, so a request does not make n8n read
 * and decrypt the credential again (that was most of the trigger's cost under load).
 * - Size: one short text per webhook credential used in this process.
 * - Freed: never; each is read again after 5 s (SECRET_CACHE_MS), and at once when it refuses a
 *   request, so a changed secret works from the first delivery.
 * - Queue mode: each webhook process (and the main) has its own; nothing to share.
 */
export const triggerSecrets = new SecretCache();

/**
 * Flowella Trigger: the delivery keys each trigger node has seen (body digest, event id,
 * delivery id), so a repeated delivery starts nothing.
 * - Size: at most MAX_TRIGGER_SCOPES nodes × 60,000 keys (20,000 deliveries, SEEN_MAX_KEYS) of
 *   24 characters; a key older than 24 hours (SEEN_MAX_AGE_MS) is dropped.
 * - Freed: a node's keys when it has not been used for longest among more than MAX_TRIGGER_SCOPES;
 *   its newest 1,000 deliveries are mirrored in the workflow's static data for restarts.
 * - Queue mode: each webhook process sees only the deliveries it took; the node's step in the
 *   execution checks n8n's shared de-duplication store (sharedClaims) for copies taken elsewhere.
 */
export const seenDeliveries = new StoresByScope(MAX_TRIGGER_SCOPES, () => new SeenKeys());

/**
 * Flowella Trigger, queue mode: this process's way to n8n's de-duplication store per trigger
 * node, which sends one batch of entries at a time (the store itself, in n8n's database, keeps
 * the last 10,000 entries per node: SHARED_MAX_ENTRIES).
 * - Size: at most MAX_TRIGGER_SCOPES nodes, each holding only the requests waiting for its batch.
 * - Freed: as seenDeliveries.
 * - Queue mode: what it is for; in regular mode it is never used.
 */
export const sharedClaims = new StoresByScope(MAX_TRIGGER_SCOPES, () => new SharedStore(sleep));
