import type { IExecuteFunctions } from 'n8n-workflow';

import { DEFAULT_CONCURRENCY, DEFAULT_LIMIT, DEFAULT_TIMEOUT_MS, MAX_CONCURRENCY } from './descriptions';
import { invalidField } from './invalidField';

/** One option of one item: only its own expression is evaluated, so a failing one fails only what uses it. */
export function readOption(ctx: IExecuteFunctions, name: string, itemIndex: number, fallback: unknown): unknown {
	return ctx.getNodeParameter(`options.${name}`, itemIndex, fallback);
}

/** Options → Timeout of one item, in ms. */
export function readTimeout(ctx: IExecuteFunctions, itemIndex: number): number {
	const timeout = readOption(ctx, 'timeout', itemIndex, DEFAULT_TIMEOUT_MS);
	return typeof timeout === 'number' && timeout > 0 ? timeout : DEFAULT_TIMEOUT_MS;
}

/**
 * Parallel Requests is read once, for item 0, as the pacer is shared by all items. It cannot fail
 * the node: an expression that fails or comes out empty there means the default.
 */
export function readConcurrency(ctx: IExecuteFunctions): number {
	let raw: unknown;
	try {
		raw = ctx.getNodeParameter('options.concurrency', 0, DEFAULT_CONCURRENCY);
	} catch {
		return DEFAULT_CONCURRENCY;
	}
	const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
	if (!Number.isFinite(value)) return DEFAULT_CONCURRENCY;
	return Math.min(MAX_CONCURRENCY, Math.max(1, Math.floor(value)));
}

/**
 * Max Requests Per Second, read once for item 0 as Parallel Requests is: 0 (the default), empty or
 * a failing expression means no cap of the node's own.
 */
export function readMaxRequestsPerSecond(ctx: IExecuteFunctions): number {
	let raw: unknown;
	try {
		raw = ctx.getNodeParameter('options.maxRequestsPerSecond', 0, 0);
	} catch {
		return 0;
	}
	const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
	return Number.isFinite(value) && value > 0 ? value : 0;
}

/** Return All and Limit of one item: how many entries of a list to read; undefined for all of them. */
export function readLimit(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	if (ctx.getNodeParameter('returnAll', itemIndex, false) === true) return undefined;
	const value = ctx.getNodeParameter('limit', itemIndex, DEFAULT_LIMIT);
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
		throw invalidField(ctx, 'Limit', value, 'must be a whole number of at least 1', itemIndex);
	}
	return value;
}
