import type { PageQuery } from '../../../../nodes/Flowella/transport/paginate';
import { PaginationError, readList } from '../../../../nodes/Flowella/transport/paginate';

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

/**
 * Fixed pages, whatever `limit` asks (a server may answer fewer, as an empty page does): page n
 * carries cursor `c<n>` except the last, which carries none.
 */
function pagesOf(layout: number[][]) {
	const queries: PageQuery[] = [];
	const fetchPage = async (query: PageQuery) => {
		queries.push(query);
		const index = query.cursor === undefined ? 0 : Number(query.cursor.slice(1));
		const page = layout[index] ?? [];
		return { items: page.slice(0, query.limit), nextCursor: index + 1 < layout.length ? `c${index + 1}` : null };
	};
	return { queries, fetchPage };
}

/** A small deterministic generator, so a failing layout repeats. */
function seeded(seed: number) {
	let state = seed;
	return () => {
		state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
		return state / 2_147_483_648;
	};
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

	it('an empty page that carries a cursor is not the end: its cursor is followed', async () => {
		const { queries, fetchPage } = pagesOf([[1, 2], [], [3, 4]]);
		expect(await readList(fetchPage)).toEqual([1, 2, 3, 4]);
		expect(queries.map((query) => query.cursor)).toEqual([undefined, 'c1', 'c2']);
	});

	it('Limit: an empty page with a cursor does not stop the read short, and asks again for what is still needed', async () => {
		const { queries, fetchPage } = pagesOf([[], [1, 2], [], [3, 4, 5]]);
		expect(await readList(fetchPage, 4)).toEqual([1, 2, 3, 4]);
		expect(queries.map((query) => query.limit)).toEqual([4, 4, 2, 2]);
	});

	it('9 empty pages in a row are read through; 10 in a row are an error, with no request after the 10th', async () => {
		const nine = pagesOf([[1], ...Array.from({ length: 9 }, () => []), [2]]);
		expect(await readList(nine.fetchPage)).toEqual([1, 2]);
		const ten = pagesOf([[1], ...Array.from({ length: 10 }, () => []), [2]]);
		const read = readList(ten.fetchPage);
		await expect(read).rejects.toThrow(PaginationError);
		await expect(read).rejects.toThrow(/pages 2 to 11 of the list were empty.*10 in a row/);
		expect(ten.queries).toHaveLength(11);
	});

	it('the count of empty pages starts again after a page with items', async () => {
		const empties = () => Array.from({ length: 9 }, (): number[] => []);
		const { fetchPage } = pagesOf([...empties(), [1], ...empties(), [2], ...empties()]);
		expect(await readList(fetchPage)).toEqual([1, 2]);
	});

	it('an empty last page without a cursor ends the list', async () => {
		const { queries, fetchPage } = pagesOf([[1], []]);
		expect(await readList(fetchPage)).toEqual([1]);
		expect(queries).toHaveLength(2);
	});

	it('over 500 random page layouts (empty pages with cursors included), Return All and any Limit give the list in order', async () => {
		const random = seeded(18);
		for (let run = 0; run < 500; run++) {
			// Page sizes 0–5; runs of empty pages stay under 10.
			const layout: number[][] = [];
			let next = 0;
			let emptyRun = 0;
			for (let count = Math.floor(random() * 30); count > 0; count--) {
				const size = emptyRun === 9 ? 1 + Math.floor(random() * 5) : Math.floor(random() * 6);
				emptyRun = size === 0 ? emptyRun + 1 : 0;
				layout.push(Array.from({ length: size }, () => next++));
			}
			const all = Array.from({ length: next }, (_, n) => n);
			expect(await readList(pagesOf(layout).fetchPage)).toEqual(all);
			const limit = 1 + Math.floor(random() * (next + 3));
			expect(await readList(pagesOf(layout).fetchPage, limit)).toEqual(all.slice(0, limit));
		}
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
