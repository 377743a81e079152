// Everything the package keeps in an n8n process beyond one execution, in one place: for each
// store, how big it can get, when it is freed, and what it means in queue mode (where the main
// process, each worker and each webhook process has its own copy, sharing nothing).
import { PacerRegistry } from './Flowella/transport/pacer';
import { RerunMemos } from './Flowella/transport/rerunMemo';

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
