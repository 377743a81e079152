/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// Shared by the reliability suites: what n8n keeps or logs from a run (to search it for the API
// key), the emulator's request log read per item, and where the suites write their results.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { ErrorReporter } from 'n8n-core';
import { LoggerProxy } from 'n8n-workflow';

import type { FlowellaEmulator } from '../../emulator/server';
import type { FlowellaRun } from './harness';

/** Results of the reliability suites, read by scripts/reliability-report.js. Git-ignored. */
const RESULTS_DIR = path.join(__dirname, '..', '..', '.reliability');

export function writeResults(name: string, value: unknown): void {
	fs.mkdirSync(RESULTS_DIR, { recursive: true });
	fs.writeFileSync(path.join(RESULTS_DIR, name), `${JSON.stringify(value, null, '\t')}\n`);
}

/** Every text form of an error n8n may store, log or report: JSON, message, description, stack, and the same for each cause. */
function errorTexts(error: unknown): string[] {
	const texts: string[] = [];
	const seen = new Set<unknown>();
	let current = error as { cause?: unknown; message?: unknown; description?: unknown; stack?: unknown } | undefined;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		texts.push(
			JSON.stringify(current),
			String(current.message ?? ''),
			String(current.description ?? ''),
			String(current.stack ?? ''),
			JSON.stringify(Object.getOwnPropertyDescriptors(current), (_, value: unknown) =>
				typeof value === 'function' ? '[function]' : value,
			),
		);
		current = current.cause as typeof current;
	}
	return texts;
}

/**
 * Records everything logged during a run: n8n-workflow's LoggerProxy (what a node's code and
 * n8n-core log through), n8n's root Logger, and every error handed to n8n's ErrorReporter
 * (which logs or sends to Sentry the errors a node throws).
 */
export class LogCapture {
	readonly lines: Array<{ source: string; level: string; text: string }> = [];

	readonly reportedErrors: unknown[] = [];

	private readonly restorers: Array<() => void> = [];

	start(): this {
		const record = (source: string, level: string) => (message: unknown, meta?: unknown) => {
			let metaText: string;
			try {
				metaText = JSON.stringify(meta ?? null);
			} catch {
				metaText = String(meta);
			}
			this.lines.push({ source, level, text: `${String(message)} ${metaText}` });
		};
		const levels = ['error', 'warn', 'info', 'debug'] as const;
		LoggerProxy.init(Object.fromEntries(levels.map((level) => [level, record('LoggerProxy', level)])) as never);
		const logger = Container.get(Logger) as unknown as Record<string, (...args: unknown[]) => unknown>;
		for (const level of levels) {
			const original = logger[level];
			logger[level] = record('Logger', level);
			this.restorers.push(() => {
				logger[level] = original;
			});
		}
		const reporter = Container.get(ErrorReporter);
		const originalError = reporter.error.bind(reporter);
		reporter.error = (error, options) => {
			this.reportedErrors.push(error);
			originalError(error, options);
		};
		this.restorers.push(() => {
			reporter.error = originalError;
		});
		return this;
	}

	stop(): void {
		for (const restore of this.restorers.splice(0)) restore();
	}

	clear(): void {
		this.lines.length = 0;
		this.reportedErrors.length = 0;
	}

	/** Every logged line and every text form of every reported error. */
	texts(): string[] {
		return [...this.lines.map((line) => line.text), ...this.reportedErrors.flatMap(errorTexts)];
	}

	/** Lines logged by anything but n8n's own "Running node … started/finished" debug lines. */
	unexpectedLines(): string[] {
		return this.lines
			.filter((line) => !/^(Running node|Start executing node|Workflow execution)/.test(line.text))
			.map((line) => `${line.source}.${line.level}: ${line.text}`);
	}
}

/** Every place the key could end up after a run: outputs, the stored run, the error and its causes, logs. */
export function placesToSearch(result: FlowellaRun, logs?: LogCapture): string[] {
	return [
		JSON.stringify(result.outputs),
		JSON.stringify(result.run),
		...errorTexts(result.error),
		...(logs ? logs.texts() : []),
	];
}

export function placesHolding(secret: string, result: FlowellaRun, logs?: LogCapture): number {
	// The key as sent, in another case, masked (its start and end), or without its `flo_` prefix.
	const forms = [secret, secret.toLowerCase(), secret.toUpperCase(), secret.slice(4)];
	const masked = new RegExp(`${secret.slice(0, 12)}.{0,8}${secret.slice(-4)}`, 'i');
	return placesToSearch(result, logs).filter((text) => forms.some((form) => text.includes(form)) || masked.test(text)).length;
}

// n8n-core has its own copies of these: the container and logger it uses are the ones next to it.
const requireFromCore = createRequire(require.resolve('n8n-core'));
const { Container } = requireFromCore('@n8n/di') as { Container: { get<T>(type: new (...args: never[]) => T): T } };
const { Logger } = requireFromCore('@n8n/backend-common') as { Logger: new (...args: never[]) => object };

export type ContactRequest = FlowellaEmulator['requests'][number];

/** A request that reached Flowella and whose answer was a ContactRow the node could read. */
export function isCleanSuccess(request: ContactRequest): boolean {
	return request.status === 200 && (request.fault === undefined || request.fault === 'slow');
}

/** For one phone's requests: how many got a clean success, and how many were sent after the first one. */
export function tallySends(sent: ContactRequest[]): { cleanSuccesses: number; sentAfterSuccess: number } {
	const first = sent.findIndex(isCleanSuccess);
	return {
		cleanSuccesses: sent.filter(isCleanSuccess).length,
		sentAfterSuccess: first >= 0 ? sent.length - first - 1 : 0,
	};
}

export function requestsByPhone(requests: ContactRequest[]): Map<string, ContactRequest[]> {
	const byPhone = new Map<string, ContactRequest[]>();
	for (const request of requests) {
		const phone = (request.body as { phone?: unknown } | undefined)?.phone;
		const key = typeof phone === 'string' ? phone : '';
		const list = byPhone.get(key) ?? [];
		list.push(request);
		byPhone.set(key, list);
	}
	return byPhone;
}
