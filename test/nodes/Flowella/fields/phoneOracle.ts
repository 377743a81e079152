/**
 * The oracle for phone reading: Google libphonenumber's metadata through libphonenumber-js/max (a dev
 * dependency only). It supplies the numbers to write (every region's example mobile number, plus
 * numbers sampled from the pattern of every number type of every region and global service) and
 * judges what the node made of them (is it a valid number, and which).
 */
import examples from 'libphonenumber-js/examples.mobile.json';
import metadata from 'libphonenumber-js/metadata.max.json';
import { getCountries, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { seededRandom } from '../../../support/seededRandom';

/** libphonenumber-js metadata v4 keeps the number types of a region at slot 11, in this order. */
const TYPES = ['FIXED_LINE', 'MOBILE', 'TOLL_FREE', 'PREMIUM_RATE', 'PERSONAL_NUMBER', 'VOICEMAIL', 'UAN', 'PAGER', 'VOIP', 'SHARED_COST'] as const;

type RegionMetadata = [string, ...unknown[]];

export interface OracleNumber {
	/** E.164, e.g. +13192300698. */
	e164: string;
	/** The region it belongs to (ISO code), or 001 for a global service such as +800. */
	region: string;
	callingCode: string;
	/** Where it came from: the region's example mobile number, or sampled from a number type's pattern. */
	source: string;
	/** As its own country writes it at home (libphonenumber's national format). */
	national: string;
}

/**
 * One random string matching a libphonenumber pattern. They use digits, \d, [classes], groups,
 * alternation, ? and {n} / {n,m}; alternatives are picked uniformly, which reaches every branch.
 */
export function sampleFromPattern(pattern: string, random: () => number): string {
	return generate(parseNode(pattern), random);
}

type Node = { kind: 'set'; chars: string } | { kind: 'seq'; items: Node[] } | { kind: 'alt'; branches: Node[] } | { kind: 'repeat'; node: Node; min: number; max: number };

function parseNode(pattern: string): Node {
	let i = 0;
	const alternation = (): Node => {
		const branches = [sequence()];
		while (pattern[i] === '|') {
			i++;
			branches.push(sequence());
		}
		return branches.length === 1 ? branches[0] : { kind: 'alt', branches };
	};
	const sequence = (): Node => {
		const items: Node[] = [];
		while (i < pattern.length && pattern[i] !== '|' && pattern[i] !== ')') items.push(quantified(atom()));
		return { kind: 'seq', items };
	};
	const atom = (): Node => {
		const c = pattern[i];
		if (c === '(') {
			i += pattern.startsWith('(?:', i) ? 3 : 1;
			const inner = alternation();
			i++;
			return inner;
		}
		if (c === '\\') {
			i += 2;
			return { kind: 'set', chars: '0123456789' };
		}
		if (c === '[') {
			i++;
			let chars = '';
			while (pattern[i] !== ']') {
				const from = pattern[i++];
				if (pattern[i] === '-' && pattern[i + 1] !== ']') {
					for (let code = from.charCodeAt(0); code <= pattern.charCodeAt(i + 1); code++) chars += String.fromCharCode(code);
					i += 2;
				} else chars += from;
			}
			i++;
			return { kind: 'set', chars };
		}
		i++;
		return { kind: 'set', chars: c };
	};
	const quantified = (node: Node): Node => {
		for (;;) {
			if (pattern[i] === '?') {
				i++;
				node = { kind: 'repeat', node, min: 0, max: 1 };
			} else if (pattern[i] === '{') {
				const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
				if (!match) throw new Error(`unreadable repetition in ${pattern}`);
				i += match[0].length;
				const min = Number(match[1]);
				node = { kind: 'repeat', node, min, max: match[2] === undefined ? min : Number(match[3] || min + 3) };
			} else return node;
		}
	};
	return alternation();
}

function generate(node: Node, random: () => number): string {
	switch (node.kind) {
		case 'set':
			return node.chars[Math.floor(random() * node.chars.length)];
		case 'seq':
			return node.items.map((item) => generate(item, random)).join('');
		case 'alt':
			return generate(node.branches[Math.floor(random() * node.branches.length)], random);
		case 'repeat': {
			const times = node.min + Math.floor(random() * (node.max - node.min + 1));
			return Array.from({ length: times }, () => generate(node.node, random)).join('');
		}
	}
}

function nationalFormat(e164: string): string {
	return parsePhoneNumberFromString(e164)?.formatNational() ?? '';
}

/**
 * Every region's example mobile number, and `perType` numbers sampled from each number type of each
 * region and global service, kept only when libphonenumber says they are valid numbers of that type
 * and region (so NANP's shared +1 hands each number to its own region).
 */
export function oracleNumbers(perType: number, seed: number): OracleNumber[] {
	const random = seededRandom(seed);
	const found = new Map<string, OracleNumber>();
	const add = (e164: string, region: string, callingCode: string, source: string) => {
		if (!found.has(e164)) found.set(e164, { e164, region, callingCode, source, national: nationalFormat(e164) });
	};
	for (const region of getCountries()) {
		const example = getExampleNumber(region, examples);
		if (example?.isValid()) add(example.number, region, example.countryCallingCode, 'example mobile');
	}
	const plans: Array<[string, string, RegionMetadata]> = [
		...Object.entries(metadata.countries).map(([region, plan]) => [region, (plan as RegionMetadata)[0], plan as RegionMetadata] as [string, string, RegionMetadata]),
		...Object.entries(metadata.nonGeographic).map(([code, plan]) => ['001', code, plan as unknown as RegionMetadata] as [string, string, RegionMetadata]),
	];
	for (const [region, code, plan] of plans) {
		const types = (plan[11] ?? []) as Array<[string, number[]?] | 0 | undefined>;
		types.forEach((numberType, index) => {
			if (!numberType || !numberType[0]) return;
			for (let k = 0, tries = 0; k < perType && tries < perType * 20; tries++) {
				const e164 = `+${code}${sampleFromPattern(numberType[0], random)}`;
				const parsed = parsePhoneNumberFromString(e164);
				const type = parsed?.getType();
				// Where fixed line and mobile patterns overlap, libphonenumber says FIXED_LINE_OR_MOBILE.
				if (!parsed?.isValid() || (type !== TYPES[index] && !(index < 2 && type === 'FIXED_LINE_OR_MOBILE'))) continue;
				if ((parsed.country ?? '001') !== region) continue;
				add(e164, region, code, `sampled ${TYPES[index].toLowerCase().replace('_', ' ')}`);
				k++;
			}
		});
	}
	return [...found.values()];
}

const validity = new Map<string, boolean>();
/** Whether libphonenumber (max metadata) takes an E.164 number for a valid number of some region or service. */
export function isValidNumber(e164: string): boolean {
	let valid = validity.get(e164);
	if (valid === undefined) {
		valid = parsePhoneNumberFromString(e164)?.isValid() ?? false;
		validity.set(e164, valid);
	}
	return valid;
}

/** What libphonenumber reads a text as, as a national number under a calling code (its own parse, no guessing). */
export function libphonenumberNational(text: string, callingCode: string): string | undefined {
	const parsed = parsePhoneNumberFromString(text, { defaultCallingCode: callingCode });
	return parsed && isValidNumber(parsed.number) ? parsed.number : undefined;
}

