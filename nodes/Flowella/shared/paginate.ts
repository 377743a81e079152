// Flowella's list endpoints: `limit` (1–100) and an opaque `cursor` in, `{items, nextCursor}` out.
const MAX_PAGE_SIZE = 100;

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
 * page for no more than is still needed (Limit 30 is one request with `limit=30`). A cursor
 * seen before, or a cursor after an empty page, would loop forever: the first is an error, the
 * second ends the list.
 */
export async function readList(
	fetchPage: (query: PageQuery) => Promise<unknown>,
	limit?: number,
): Promise<unknown[]> {
	const items: unknown[] = [];
	const seen = new Set<string>();
	let cursor: string | undefined;
	for (let pageNumber = 1; ; pageNumber++) {
		const wanted = limit === undefined ? MAX_PAGE_SIZE : Math.min(MAX_PAGE_SIZE, limit - items.length);
		const page = readPage(await fetchPage(cursor === undefined ? { limit: wanted } : { limit: wanted, cursor }), pageNumber);
		items.push(...page.items.slice(0, wanted));
		if (limit !== undefined && items.length >= limit) return items;
		if (page.nextCursor === undefined || page.items.length === 0) return items;
		if (seen.has(page.nextCursor)) {
			throw new PaginationError(
				`Flowella answered page ${pageNumber} with a cursor it had already sent (${JSON.stringify(page.nextCursor.slice(0, 40))}): reading on would loop forever`,
			);
		}
		seen.add(page.nextCursor);
		cursor = page.nextCursor;
	}
}
