// Flowella's list endpoints: `limit` (1–100) and an opaque `cursor` in, `{items, nextCursor}` out.
const MAX_PAGE_SIZE = 100;
// An empty page with a cursor is followed (the contract ends a list only on a missing cursor);
// this many in a row is taken as a server that will never send more.
const MAX_EMPTY_PAGES_IN_A_ROW = 10;

export interface PageQuery {
	limit: number;
	cursor?: string;
}

/** Why a list could not be read to its end; the caller turns it into a per-item node error. */
export class PaginationError extends Error {}

function readPage(body: unknown, pageNumber: number): { items: unknown[]; nextCursor?: string } {
	const page = body as { items?: unknown; nextCursor?: unknown } | null;
	if (typeof page !== 'object' || page === null || !Array.isArray(page.items)) {
		throw new PaginationError(`Flowella answered page ${pageNumber} of the list without an "items" list`);
	}
	const { nextCursor } = page;
	if (nextCursor !== undefined && nextCursor !== null && typeof nextCursor !== 'string') {
		throw new PaginationError(`Flowella answered page ${pageNumber} with a "nextCursor" that is not text`);
	}
	// A missing, null or empty cursor is the documented end of the list.
	return { items: page.items, nextCursor: nextCursor || undefined };
}

/**
 * Reads a cursor list: all of it (`limit` undefined) or its first `limit` items, asking each
 * page for no more than is still needed (Limit 30 is one request with `limit=30`). Only a
 * missing cursor ends the list, an empty page's too. Two ways it could read forever are errors:
 * a cursor seen before, and 10 empty pages in a row.
 */
export async function readList(
	fetchPage: (query: PageQuery) => Promise<unknown>,
	limit?: number,
): Promise<unknown[]> {
	const items: unknown[] = [];
	const seen = new Set<string>();
	let cursor: string | undefined;
	let emptyInARow = 0;
	for (let pageNumber = 1; ; pageNumber++) {
		const wanted = limit === undefined ? MAX_PAGE_SIZE : Math.min(MAX_PAGE_SIZE, limit - items.length);
		const page = readPage(await fetchPage(cursor === undefined ? { limit: wanted } : { limit: wanted, cursor }), pageNumber);
		items.push(...page.items.slice(0, wanted));
		if (limit !== undefined && items.length >= limit) return items;
		if (page.nextCursor === undefined) return items;
		emptyInARow = page.items.length === 0 ? emptyInARow + 1 : 0;
		if (emptyInARow >= MAX_EMPTY_PAGES_IN_A_ROW) {
			throw new PaginationError(
				`Flowella's pages ${pageNumber - emptyInARow + 1} to ${pageNumber} of the list were empty, each with a cursor to another page (${emptyInARow} in a row): stopped rather than read on without end`,
			);
		}
		if (seen.has(page.nextCursor)) {
			throw new PaginationError(
				`Flowella answered page ${pageNumber} with a cursor it had already sent (${JSON.stringify(page.nextCursor.slice(0, 40))}): reading on would loop forever`,
			);
		}
		seen.add(page.nextCursor);
		cursor = page.nextCursor;
	}
}
