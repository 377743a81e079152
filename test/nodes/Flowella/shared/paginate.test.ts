import type { PageQuery } from '../../../../nodes/Flowella/shared/paginate';
import { PaginationError, readList } from '../../../../nodes/Flowella/shared/paginate';

/** A list of `total` numbers served in pages, recording every query. */
function server(total: number, { cursorOnLastFullPage = false } = {}) {
	const queries: PageQuery[] = [];
	const fetchPage = async (query: PageQuery) => {
		queries.push(query);
		const offset = query.cursor === undefined ? 0 : Number(query.cursor.slice(1));
		const items = Array.from({ length: Math.max(0, Math.min(query.limit, total - offset)) }, (_, n) => offset + n);
		const end = offset + items.length;
		const more = end < total || (cursorOnLastFullPage && items.length > 0 && items.length === query.limit);
		return { items, nextCursor: more ? `c${end}` : null };
	};
	return { queries, fetchPage };
}

describe('readList', () => {
	it('Return All follows the pages to the end, 100 at a time', async () => {
		const { queries, fetchPage } = server(10_000);
		const items = await readList(fetchPage);
		expect(items).toHaveLength(10_000);
		expect(items[9_999]).toBe(9_999);
		expect(queries).toHaveLength(100);
		expect(queries.every((query) => query.limit === 100)).toBe(true);
	});

	it('an API that gives a cursor to an empty page costs one request more, nothing else', async () => {
		const { queries, fetchPage } = server(200, { cursorOnLastFullPage: true });
		expect(await readList(fetchPage)).toHaveLength(200);
		expect(queries).toHaveLength(3);
	});

	it.each([
		[0, 1],
		[100, 1],
		[101, 2],
	])('Return All over %i items makes %i requests', async (total, requests) => {
		const { queries, fetchPage } = server(total);
		expect(await readList(fetchPage)).toHaveLength(total);
		expect(queries).toHaveLength(requests);
	});

	it.each([
		[30, 1_000, [30]],
		[100, 1_000, [100]],
		[250, 1_000, [100, 100, 50]],
		[50, 20, [50]],
	])('Limit %i over %i items asks for no more than it needs: %j', async (limit, total, limits) => {
		const { queries, fetchPage } = server(total);
		const items = await readList(fetchPage, limit);
		expect(items).toHaveLength(Math.min(limit, total));
		expect(queries.map((query) => query.limit)).toEqual(limits);
	});

	it('never returns more than Limit, even when a page is larger than asked', async () => {
		const items = await readList(async () => ({ items: [1, 2, 3, 4, 5], nextCursor: 'x' }), 3);
		expect(items).toEqual([1, 2, 3]);
	});

	it.each([[undefined], [null], ['']])('nextCursor %p ends the list', async (nextCursor) => {
		let calls = 0;
		const items = await readList(async () => {
			calls += 1;
			return { items: [1], nextCursor };
		});
		expect([items, calls]).toEqual([[1], 1]);
	});

	it('a repeated cursor is an error, not an endless loop', async () => {
		let calls = 0;
		const loop = readList(async () => {
			calls += 1;
			return { items: [calls], nextCursor: calls % 2 === 0 ? 'a' : 'b' };
		});
		await expect(loop).rejects.toThrow(PaginationError);
		await expect(loop).rejects.toThrow(/cursor it had already sent \("b"\)/);
		expect(calls).toBe(3);
	});

	it('refuses a page that is not a list', async () => {
		await expect(readList(async () => ({ data: [] }))).rejects.toThrow(/page 1 of the list without an "items" list/);
		await expect(readList(async () => ({ items: [], nextCursor: 5 }))).rejects.toThrow(/"nextCursor" that is not text/);
	});

	it('passes the cursor it was given, untouched', async () => {
		const { queries, fetchPage } = server(250);
		await readList(fetchPage);
		expect(queries).toEqual([{ limit: 100 }, { limit: 100, cursor: 'c100' }, { limit: 100, cursor: 'c200' }]);
	});
});
