/* eslint-disable @n8n/community-nodes/no-restricted-globals -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// n8n's de-duplication store as its DeduplicationHelper implements `checkProcessedAndRecord` in
// 'entries' mode (n8n 2.40.7 and 1.123.81, packages/cli/src/deduplication): one row per
// workflow and context, read, changed in memory and written back whole, with nothing atomic; the
// first write inserts the row, and a second insert of it fails on the primary key. `gap()` is
// what happens between the read and the write (a database round trip, a busy event loop).
import { createHash } from 'node:crypto';

import type { IDeduplicationOutput } from 'n8n-workflow';

export class ProcessedDataTable {
	private readonly rows = new Map<string, string[]>();
	calls = 0;

	/** `gap(call)` gets the call's number, from 1. */
	constructor(private readonly gap: (call: number) => Promise<void> = () => new Promise((resolve) => setImmediate(resolve))) {}

	async checkProcessedAndRecord(context: string, items: Array<string | number>, maxEntries?: number): Promise<IDeduplicationOutput> {
		const call = ++this.calls;
		const stored = this.rows.get(context);
		const data = stored ? [...stored] : undefined;
		await this.gap(call);
		const hashed = items.map((item) => createHash('md5').update(item.toString()).digest('base64'));
		if (!data) {
			if (maxEntries) hashed.splice(0, hashed.length - maxEntries);
			if (this.rows.has(context)) throw new Error('duplicate key value violates unique constraint "PK_processed_data"');
			this.rows.set(context, hashed);
			return { new: items, processed: [] };
		}
		const result: IDeduplicationOutput = { new: [], processed: [] };
		hashed.forEach((hash, index) => {
			if (data.includes(hash)) result.processed.push(items[index]);
			else {
				result.new.push(items[index]);
				data.push(hash);
			}
		});
		if (maxEntries) data.splice(0, data.length - maxEntries);
		await this.gap(call);
		this.rows.set(context, data);
		return result;
	}

	size(context: string): number {
		return this.rows.get(context)?.length ?? 0;
	}
}
