#!/usr/bin/env node
'use strict';
// Writes nodes/Flowella/fields/callingCodes.ts, the numbering-plan table phone cleanup
// checks numbers against, from Google libphonenumber's metadata as packaged by libphonenumber-js.
// libphonenumber-js is read from a packed tarball at generation time only: the node keeps no
// runtime dependency.
//
//   node scripts/generate-calling-codes.js                 packs libphonenumber-js@VERSION, writes the table
//   node scripts/generate-calling-codes.js --from <dir>    reads an unpacked libphonenumber-js package instead
//   node scripts/generate-calling-codes.js --check         exits 1 if the table in the source differs
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const VERSION = '1.13.16';
const OUTPUT = path.join(__dirname, '..', 'nodes', 'Flowella', 'fields', 'callingCodes.ts');
// libphonenumber lists lengths that are not whole numbers dialled from abroad: NANP's 7-digit local
// numbers and Russia/Kazakhstan's 14-digit domestic "8 10 8" freephone numbers.
const LENGTH_OVERRIDES = { 1: [10], 7: [10] };

// ---- a regular expression → NFA, for the subset libphonenumber's patterns use -----------------

function parsePattern(source) {
	let i = 0;
	const alternation = () => {
		const branches = [sequence()];
		while (source[i] === '|') {
			i++;
			branches.push(sequence());
		}
		return branches.length === 1 ? branches[0] : { type: 'alt', branches };
	};
	const sequence = () => {
		const items = [];
		while (i < source.length && source[i] !== '|' && source[i] !== ')') items.push(quantified(atom()));
		return { type: 'seq', items };
	};
	const atom = () => {
		const c = source[i];
		if (c === '(') {
			if (source.startsWith('(?:', i)) i += 3;
			else if (source[i + 1] === '?') throw new Error(`unsupported group in ${source}`);
			else i += 1;
			const inner = alternation();
			if (source[i++] !== ')') throw new Error(`unbalanced ${source}`);
			return inner;
		}
		if (c === '\\') {
			const escaped = source[i + 1];
			i += 2;
			if (escaped !== 'd') throw new Error(`unsupported escape \\${escaped} in ${source}`);
			return { type: 'set', chars: '0123456789' };
		}
		if (c === '[') {
			i++;
			let chars = '';
			while (source[i] !== ']') {
				const from = source[i++];
				if (from === '\\') {
					if (source[i++] !== 'd') throw new Error(`unsupported class in ${source}`);
					chars += '0123456789';
					continue;
				}
				if (source[i] === '-' && source[i + 1] !== ']') {
					const to = source[i + 1];
					i += 2;
					for (let code = from.charCodeAt(0); code <= to.charCodeAt(0); code++) chars += String.fromCharCode(code);
				} else chars += from;
			}
			i++;
			return { type: 'set', chars };
		}
		if (/[0-9]/.test(c)) {
			i++;
			return { type: 'set', chars: c };
		}
		throw new Error(`unexpected ${c} at ${i} in ${source}`);
	};
	const quantified = (node) => {
		for (;;) {
			let min;
			let max;
			if (source[i] === '?') [min, max, i] = [0, 1, i + 1];
			else if (source[i] === '{') {
				const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
				if (!match) throw new Error(`unreadable repetition in ${source}`);
				i += match[0].length;
				min = Number(match[1]);
				max = match[2] === undefined ? min : match[3] === '' ? 20 : Number(match[3]);
			} else if (source[i] === '*' || source[i] === '+') throw new Error(`unbounded repetition in ${source}`);
			else return node;
			node = { type: 'repeat', node, min, max };
		}
	};
	const tree = alternation();
	if (i !== source.length) throw new Error(`trailing text in ${source}`);
	return tree;
}

function compile(source) {
	const states = [];
	const state = () => states.push({ empty: [], edges: [] }) - 1;
	const fragment = (node) => {
		if (node.type === 'set') {
			const [from, to] = [state(), state()];
			states[from].edges.push([node.chars, to]);
			return [from, to];
		}
		if (node.type === 'seq') {
			const start = state();
			let end = start;
			for (const item of node.items) {
				const [from, to] = fragment(item);
				states[end].empty.push(from);
				end = to;
			}
			return [start, end];
		}
		if (node.type === 'alt') {
			const [start, end] = [state(), state()];
			for (const branch of node.branches) {
				const [from, to] = fragment(branch);
				states[start].empty.push(from);
				states[to].empty.push(end);
			}
			return [start, end];
		}
		const [start, end] = [state(), state()];
		let current = start;
		for (let k = 0; k < node.max; k++) {
			if (k >= node.min) states[current].empty.push(end);
			const [from, to] = fragment(node.node);
			states[current].empty.push(from);
			current = to;
		}
		states[current].empty.push(end);
		return [start, end];
	};
	const [start, accept] = fragment(parsePattern(source));
	return { states, start, accept };
}

function closure(nfa, set) {
	const out = new Set(set);
	const stack = [...set];
	while (stack.length) for (const next of nfa.states[stack.pop()].empty) if (!out.has(next)) out.add(next) && stack.push(next);
	return out;
}

function step(nfa, set, digit) {
	const out = new Set();
	for (const s of set) for (const [chars, to] of nfa.states[s].edges) if (digit === undefined || chars.includes(digit)) out.add(to);
	return closure(nfa, out);
}

/** Lengths of the numbers the pattern matches that start with prefix. */
function lengthsStartingWith(nfa, prefix) {
	let set = closure(nfa, [nfa.start]);
	for (const digit of prefix) set = step(nfa, set, digit);
	const lengths = [];
	for (let length = prefix.length; length <= 17 && set.size; length++) {
		if (set.has(nfa.accept)) lengths.push(length);
		set = step(nfa, set, undefined);
	}
	return lengths;
}

/** Whether every digit string of `length` starting with prefix matches (subsets of NFA states, level by level). */
function acceptsAll(nfa, prefix, length) {
	let set = closure(nfa, [nfa.start]);
	for (const digit of prefix) set = step(nfa, set, digit);
	let level = new Map([[[...set].sort().join(), set]]);
	for (let n = prefix.length; n < length; n++) {
		const next = new Map();
		for (const current of level.values()) {
			for (const digit of '0123456789') {
				const after = step(nfa, current, digit);
				if (after.size === 0) return false;
				next.set([...after].sort().join(), after);
			}
		}
		level = next;
	}
	return [...level.values()].every((current) => current.has(nfa.accept));
}

/** How a leading-digits pattern (matched at the start of a number) meets numbers starting with prefix: 'all', 'some' or 'none'. */
function leads(nfa, prefix) {
	let set = closure(nfa, [nfa.start]);
	for (const digit of prefix) {
		if (set.has(nfa.accept)) return 'all';
		set = step(nfa, set, digit);
	}
	return set.has(nfa.accept) ? 'all' : set.size ? 'some' : 'none';
}

/**
 * Whether a region may write a number starting with prefix, with one of lengths, at home without a
 * trunk prefix, as libphonenumber's national format does: the format it picks (the first whose
 * leading digits and pattern match) adds no prefix or makes it optional, or no format is sure to match.
 * It errs towards yes.
 */
function mayBeWrittenBare(plan, main, prefix, lengths) {
	// A region without formats (Guernsey) uses those of the main region of its calling code (United Kingdom).
	const formats = (plan[4] || main[4] || []).map((format) => {
		const rule = format[3] || plan[6] || main[6] || '';
		const national = rule ? format[1].replace('$1', rule) : format[1];
		const addsPrefix = /\d/.test(national.slice(0, national.indexOf('$'))) && !(format[4] || plan[9] || main[9]);
		const leading = format[2] && format[2].length ? compile(format[2][format[2].length - 1]) : undefined;
		return { addsPrefix, leading, pattern: compile(format[0]) };
	});
	const reach = (format) => (format.leading ? leads(format.leading, prefix) : 'all');
	if (formats.some((format) => !format.addsPrefix && reach(format) !== 'none' && lengthsStartingWith(format.pattern, prefix).some((n) => lengths.includes(n)))) return true;
	return !lengths.every((length) => formats.some((format) => reach(format) === 'all' && acceptsAll(format.pattern, prefix, length)));
}

// ---- the table -------------------------------------------------------------------------------

function ranges(numbers) {
	const parts = [];
	for (let i = 0; i < numbers.length; ) {
		let j = i;
		while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
		parts.push(j > i ? `${numbers[i]}-${numbers[j]}` : `${numbers[i]}`);
		i = j + 1;
	}
	return parts.join(',');
}

/** Top-level branches of a pattern. */
function branches(pattern) {
	const out = [];
	let depth = 0;
	let current = '';
	for (const c of pattern) {
		if (c === '(' || c === '[') depth++;
		if (c === ')' || c === ']') depth--;
		if (c === '|' && depth === 0) {
			out.push(current);
			current = '';
		} else current += c;
	}
	return [...out, current];
}

/** Every string a pattern made of digits, [classes] and ? matches ("80?" → 8, 80). */
function literals(pattern) {
	let out = [''];
	for (let i = 0; i < pattern.length; ) {
		let options;
		if (pattern[i] === '[') {
			const end = pattern.indexOf(']', i);
			options = [...pattern.slice(i + 1, end)];
			i = end + 1;
		} else options = [pattern[i++]];
		if (pattern[i] === '?') {
			options.push('');
			i++;
		}
		out = out.flatMap((head) => options.map((option) => head + option));
	}
	return out.filter((literal) => literal !== '');
}

/**
 * Trunk prefixes: the national prefix, and the short prefixes libphonenumber strips when parsing a
 * national number (Belarus: 8, 80 or 0; Lithuania: 0 or 8; Gabon: a 0 in front of some numbers).
 * Carrier selection codes and text-relay prefixes (longer, or inside groups) are not read.
 */
function trunkPrefixes(plan) {
	const found = plan[5] ? [plan[5]] : [];
	for (const branch of branches(plan[7] || '')) {
		if (/^[0-9[\]?]+$/.test(branch)) found.push(...literals(branch));
		else if (/^[0-9]+\(/.test(branch)) found.push(branch.slice(0, branch.indexOf('(')));
	}
	return found.filter((prefix) => prefix.length <= 2);
}

function tableLines(metadata) {
	const plans = new Map();
	for (const [code, regions] of Object.entries(metadata.country_calling_codes)) {
		plans.set(code, regions.map((region) => metadata.countries[region]));
	}
	for (const [code, plan] of Object.entries(metadata.nonGeographic)) plans.set(code, [...(plans.get(code) ?? []), plan]);

	const lines = [];
	for (const [code, plans_] of [...plans].sort(([a], [b]) => Number(a) - Number(b))) {
		// Metadata layout (libphonenumber-js v4): [code, IDD prefix, national number pattern, possible lengths, formats, national prefix, …]
		const possible = new Set(LENGTH_OVERRIDES[code] ?? plans_.flatMap((plan) => plan[3]));
		const nationalPrefixes = [...new Set(plans_.map((plan) => plan[5] || ''))];
		if (nationalPrefixes.length > 1) throw new Error(`+${code}: regions disagree on the national prefix (${nationalPrefixes.join(', ')})`);
		const trunk = nationalPrefixes[0];
		const trunks = [...new Set(plans_.flatMap(trunkPrefixes))];
		// A number is valid when it matches one of the plan's number types (fixed line, mobile, toll
		// free, …: slot 11), each with its own possible lengths; the general pattern (slot 2) is looser.
		const types = plans_.flatMap((plan) =>
			(plan[11] || [plan[2] && [plan[2]]]).filter((type) => type && type[0]).map((type) => ({ nfa: compile(type[0]), lengths: new Set(type[1] || plan[3]) })),
		);
		const lengths = (prefix) =>
			[...new Set(types.flatMap((type) => lengthsStartingWith(type.nfa, prefix).filter((n) => type.lengths.has(n))))]
				.filter((n) => possible.has(n))
				.sort((a, b) => a - b);

		const groups = new Map();
		for (const digit of '0123456789') {
			// Where 0 is the trunk prefix, libphonenumber's few national numbers starting with 0 are
			// domestic-only services; a 0 after such a country code is taken as a trunk 0 written by mistake.
			if (digit === '0' && trunk === '0') continue;
			const found = ranges(lengths(digit));
			if (found) groups.set(found, (groups.get(found) ?? '') + digit);
		}
		const parts = [code, ...[...groups].map(([found, digits]) => `${digits}:${found}`)];
		// Two-digit prefixes whose lengths are narrower than their first digit's: the table then tells
		// more of the numbers that do not exist, so fewer values have two readings that fit.
		const twoDigit = new Map();
		for (const [found, digits] of groups) {
			for (const first of digits) {
				for (const second of '0123456789') {
					const narrower = ranges(lengths(first + second));
					if (narrower !== found) twoDigit.set(first + second, narrower);
				}
			}
		}
		// Longer prefixes the rules ask about: the code's own digits (is 34612345678 national?), the
		// trunk prefixes (is 80294911911 a number as written, or 8 0 + a national number?) and 00
		// (is 004949708 a national number, or 00 + an international one?).
		for (const prefix of new Set([code, ...trunks, '00'])) {
			if (prefix.length < 2 || (trunk === '0' && prefix.startsWith('0'))) continue;
			const found = ranges(lengths(prefix));
			const byFirstDigit = [...groups].find(([, digits]) => digits.includes(prefix[0]))?.[0] ?? '';
			const shorter = prefix.length === 2 ? byFirstDigit : (twoDigit.get(prefix.slice(0, 2)) ?? byFirstDigit);
			twoDigit.delete(prefix);
			if (found !== shorter) parts.push(`${prefix}=${found}`);
		}
		for (const [prefix, found] of twoDigit) parts.push(`${prefix}=${found}`);
		// The domestic-only numbers starting with 0 left out above: never sent, but a value that could
		// be one of them has two readings (Japan's 0077… freephone, Indonesia's 007803…).
		// z<lengths of those starting with 0>/<lengths of those starting with 00>.
		const domestic = trunk === '0' ? ranges(lengths('0')) : '';
		if (domestic) parts.push(`z${domestic}/${ranges(lengths('00'))}`);
		// The four-digit starts of those beginning with 00 (Indonesia's 0078…), which tell them from 00 + an international number.
		const doubleZero = [...'0123456789'].flatMap((third) => [...'0123456789'].map((fourth) => `00${third}${fourth}`)).filter((start) => lengths(start).length > 0);
		if (trunk === '0' && doubleZero.length) parts.push(`d${doubleZero.join(',')}`);
		if (trunks.length) parts.push(`t${trunks.join(',')}`);
		// Where a country writes its national numbers with a trunk prefix, those it may write without:
		// b<first digits or two-digit prefixes>. With no b part, every number may be written bare.
		const bare = [];
		for (const first of '123456789') {
			const prefixes = [...'0123456789'].map((second) => first + second).filter((prefix) => lengths(prefix).length > 0);
			const written = prefixes.filter((prefix) => plans_.some((plan) => mayBeWrittenBare(plan, plans_[0], prefix, lengths(prefix))));
			bare.push(...(written.length === prefixes.length ? [first] : written));
		}
		if (bare.join() !== '123456789') parts.push(`b${bare.join(',')}`);
		lines.push(parts.join(' '));
	}
	return lines;
}

function render(lines, version) {
	return `// Generated by scripts/generate-calling-codes.js from the metadata of libphonenumber-js ${version}
// (Google libphonenumber's numbering plans, ITU E.164 calling codes). Do not edit by hand.
// Lengths and first digits come from libphonenumber's number types (fixed line, mobile, toll
// free, …), each within its possible lengths.
//
// One line per country calling code: \`<code> <first digits>:<lengths> … [<prefix>=<lengths> …] [t<trunks>]\`.
// - \`<first digits>:<lengths>\`: national (significant) numbers that start with one of those digits
//   have one of those lengths. A first digit that is not listed does not start a number there.
// - \`<prefix>=<lengths>\`: the lengths of those starting with that longer prefix, where narrower
//   (nothing after \`=\`: none starts so). Prefixes are the calling code's own digits, which tells a
//   national number from one already written with its code (34612345678 with code 34), the
//   trunk prefixes, which tells a trunk prefix from a number's own first digits, and 00, which
//   tells a national number from an international one.
// - \`t<trunks>\`: the trunk prefix dialled before a national number at home (0, or 8 in Russia),
//   then any other short prefix libphonenumber strips from national numbers there (t8,0,80).
// Departures from libphonenumber: +1 and +7 keep only their 10-digit numbers (it also lists
// NANP's 7-digit local and Russia's 14-digit domestic freephone numbers); where 0 is the trunk
// prefix, a number starting with 0 is not listed (libphonenumber has a few domestic-only services).
export const CALLING_CODE_TABLE = \`
${lines.join('\n')}
\`;
`;
}

function main() {
	const { values } = parseArgs({ options: { from: { type: 'string' }, check: { type: 'boolean' } } });
	let dir = values.from;
	if (!dir) {
		const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'libphonenumber-'));
		const tarball = execFileSync('npm', ['pack', `libphonenumber-js@${VERSION}`, '--silent', '--pack-destination', tmp], { encoding: 'utf8' }).trim();
		execFileSync('tar', ['xzf', path.join(tmp, tarball), '-C', tmp]);
		dir = path.join(tmp, 'package');
	}
	const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
	const metadata = JSON.parse(fs.readFileSync(path.join(dir, 'metadata.max.json'), 'utf8'));
	const text = render(tableLines(metadata), version);
	if (values.check) {
		const same = fs.readFileSync(OUTPUT, 'utf8') === text;
		console.log(same ? 'callingCodes.ts is up to date' : 'callingCodes.ts differs from the generated table');
		process.exitCode = same ? 0 : 1;
		return;
	}
	fs.writeFileSync(OUTPUT, text);
	console.log(`wrote ${path.relative(process.cwd(), OUTPUT)} from libphonenumber-js ${version}`);
}

main();
