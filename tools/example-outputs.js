'use strict';
// What the example workflows output, in a form two runs can be compared in: for every node of
// an `n8n execute` run, each run's output items (json, binary file details, pairedItem) per
// connection type and output, and the node's error (message and description). Used by
// scripts/example-outputs.js to show that a change left the examples' outputs as they were.
//
// Normalisation: only values that differ between two runs of the same tarball against a fresh
// emulator are replaced. Two runs of one tarball differed only in the emulator's date-times, so it
// masks one thing:
//   - a string value that is a whole ISO 8601 date-time ("2026-01-02T03:04:05.678Z"): "<date-time>".
//     These are createdAt/updatedAt of contacts and scheduledFor of a send job, stamped by the
//     emulator when the request arrives. A date-time inside a longer string is left as it is.
// Not recorded at all (so nothing to mask): n8n's run timings and execution ids (only items and
// errors are kept), an error's stack and timestamp (only its message and description), and a binary
// file's content and storage id (only its name, type and size: n8n keeps the content on disk).
// Everything else (ids, phones, names, messages, error texts, item counts, order and pairing) must
// match exactly.

/** A whole-string ISO 8601 date-time, as Date.toISOString() writes it. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** What the normalisation masks, for the output file. */
const MASKED = ['a string value that is a whole ISO 8601 date-time (the emulator\'s createdAt, updatedAt, scheduledFor) → "<date-time>"'];

/** `value` with every whole-string date-time replaced by "<date-time>". @param {unknown} value @returns {unknown} */
function normalise(value) {
	if (typeof value === 'string') return DATE_TIME.test(value) ? '<date-time>' : value;
	if (Array.isArray(value)) return value.map(normalise);
	if (value && typeof value === 'object') {
		/** @type {Record<string, unknown>} */
		const copy = {};
		for (const [name, entry] of Object.entries(value)) copy[name] = normalise(entry);
		return copy;
	}
	return value;
}

/** What is compared of an n8n error: what the user reads. */
function errorOf(error) {
	if (!error) return undefined;
	return { message: error.message, ...(error.description ? { description: error.description } : {}) };
}

/** One output item: its json (normalised), file details and pairing. */
function itemOf(item) {
	/** @type {Record<string, unknown>} */
	const recorded = { json: normalise(item.json ?? {}) };
	if (item.binary) {
		/** @type {Record<string, unknown>} */
		const files = {};
		for (const [name, file] of Object.entries(item.binary)) {
			// The file's details, not its content: n8n keeps that outside the run data (filesystem mode).
			const { mimeType, fileType, fileName, fileExtension, fileSize, bytes } = file;
			files[name] = { mimeType, fileType, fileName, fileExtension, fileSize, bytes };
		}
		recorded.binary = files;
	}
	if (item.error) recorded.error = errorOf(item.error);
	if (item.pairedItem !== undefined) recorded.pairedItem = item.pairedItem;
	return recorded;
}

/**
 * Every node's runs in an execution (`n8n execute --rawOutput`): `{ [node]: [{ outputs, error? }] }`,
 * outputs as `{ [connectionType]: items[][] }`.
 */
function recordExecution(execution) {
	const resultData = execution?.data?.resultData ?? {};
	/** @type {Record<string, { outputs: Record<string, unknown[][]>, error?: object }[]>} */
	const nodes = {};
	for (const [name, runs] of Object.entries(resultData.runData ?? {})) {
		nodes[name] = /** @type {any[]} */ (runs).map((run) => {
			/** @type {Record<string, unknown[][]>} */
			const outputs = {};
			for (const [type, outputList] of Object.entries(run.data ?? {})) {
				outputs[type] = /** @type {any[]} */ (outputList).map((items) => (items ?? []).map(itemOf));
			}
			const error = errorOf(run.error);
			return error ? { outputs, error } : { outputs };
		});
	}
	const error = errorOf(resultData.error);
	return error ? { nodes, error } : { nodes };
}

/** Examples, node runs and output items in a file written by scripts/example-outputs.js. */
function countOutputs(file) {
	let nodeRuns = 0;
	let items = 0;
	const examples = Object.values(file.examples);
	for (const example of examples) {
		for (const runs of Object.values(example.nodes ?? {})) {
			for (const run of runs) {
				nodeRuns += 1;
				for (const outputs of Object.values(run.outputs)) for (const output of outputs) items += output.length;
			}
		}
	}
	return { examples: examples.length, nodes: examples.reduce((sum, example) => sum + Object.keys(example.nodes ?? {}).length, 0), nodeRuns, items };
}

const shown = (value) => {
	const text = value === undefined ? '(absent)' : JSON.stringify(value);
	return text.length > 300 ? `${text.slice(0, 300)}…` : text;
};

/**
 * Where two values differ, as `{ path, before, after }`, deepest first reached; arrays by index,
 * objects by key (key order is not compared).
 * @param {unknown} before @param {unknown} after @param {string[]} [path]
 * @returns {{ path: string[], before: unknown, after: unknown }[]}
 */
function differences(before, after, path = []) {
	const bothObjects = before && after && typeof before === 'object' && typeof after === 'object' && Array.isArray(before) === Array.isArray(after);
	if (!bothObjects) return Object.is(before, after) ? [] : [{ path, before, after }];
	const found = [];
	if (Array.isArray(before) && Array.isArray(after)) {
		for (let index = 0; index < Math.max(before.length, after.length); index++) {
			found.push(...differences(before[index], after[index], [...path, `[${index}]`]));
		}
		return found;
	}
	const a = /** @type {Record<string, unknown>} */ (before);
	const b = /** @type {Record<string, unknown>} */ (after);
	for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) found.push(...differences(a[key], b[key], [...path, key]));
	return found;
}

/** The compared part of an output file: which examples ran (or were skipped) and what they output. */
const comparedPart = (file) => ({ skipped: file.skipped, examples: file.examples });

/**
 * Compares two output files; returns the report's lines and whether they differ.
 * @param {any} a @param {any} b @param {{ a: string, b: string }} names
 */
function compareOutputs(a, b, names) {
	const found = differences(comparedPart(a), comparedPart(b));
	const source = (label, name, file) => `${label}: ${name} (${file.tarballPath ?? file.tarball}${file.tarballSha256 ? ` sha256 ${file.tarballSha256.slice(0, 12)}` : ''}, n8n ${file.n8n})`;
	const counted = (label, file) => {
		const { examples, nodes, nodeRuns, items } = countOutputs(file);
		return `${examples} examples, ${nodes} nodes (${nodeRuns} node runs), ${items} output items in ${label}`;
	};
	const lines = [source('a', names.a, a), source('b', names.b, b), `compared ${counted('a', a)}; ${counted('b', b)}`];
	if (found.length === 0) {
		lines.push('the outputs are the same');
		return { differ: false, lines };
	}
	lines.push(`${found.length} difference${found.length === 1 ? '' : 's'}:`);
	for (const { path, before, after } of found.slice(0, 200)) {
		lines.push(`  ${path.join(' › ')}`, `    a: ${shown(before)}`, `    b: ${shown(after)}`);
	}
	if (found.length > 200) lines.push(`  … and ${found.length - 200} more`);
	return { differ: true, lines };
}

module.exports = { MASKED, normalise, recordExecution, countOutputs, differences, compareOutputs };
