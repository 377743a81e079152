'use strict';
// Checks every relative markdown link `](path#anchor)` in the top-level guides (README, CONTRIBUTING,
// CHANGELOG, RELEASING) and every .md under docs/ (docs/engineering/ too): the file exists and the
// anchor is one of its headings, slugged as GitHub does.
const fs = require('node:fs');
const path = require('node:path');

const TOP_LEVEL = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', 'RELEASING.md'];

/** Every .md file under a folder of root, as paths relative to root, in a stable order. */
function markdownUnder(root, dir) {
	return fs
		.readdirSync(path.join(root, dir), { withFileTypes: true })
		.sort((a, b) => a.name.localeCompare(b.name))
		.flatMap((entry) => {
			const rel = `${dir}/${entry.name}`;
			if (entry.isDirectory()) return markdownUnder(root, rel);
			return entry.name.endsWith('.md') ? [rel] : [];
		});
}

/** @param {string} text */
function slugs(text) {
	const seen = new Map();
	const out = new Set();
	let fence = false;
	for (const line of text.split('\n')) {
		if (/^\s*(```|~~~)/.test(line)) fence = !fence;
		if (fence) continue;
		const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
		if (!m) continue;
		const base = m[1].replace(/<[^>]+>/g, '').toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
		const n = seen.get(base) || 0;
		seen.set(base, n + 1);
		out.add(n ? `${base}-${n}` : base);
	}
	return out;
}

/**
 * The files checked under root, the relative links found, and one line per broken link.
 * @param {string} root
 * @returns {{ files: string[], links: number, problems: string[] }}
 */
function checkLinks(root) {
	const files = [...TOP_LEVEL.filter((f) => fs.existsSync(path.join(root, f))), ...markdownUnder(root, 'docs')];
	let links = 0;
	const problems = [];
	for (const file of files) {
		const text = fs.readFileSync(path.join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
		for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
			const target = m[1];
			if (/^[a-z]+:/i.test(target)) continue;
			links++;
			const [p, anchor] = target.split('#');
			const resolved = p ? path.normalize(path.join(path.dirname(file), p)) : file;
			const abs = path.join(root, resolved);
			if (!fs.existsSync(abs)) { problems.push(`${file}: ${target}: no file ${resolved}`); continue; }
			if (anchor === undefined) continue;
			if (!resolved.endsWith('.md')) { problems.push(`${file}: ${target}: anchor on a non-markdown file`); continue; }
			if (!slugs(fs.readFileSync(abs, 'utf8')).has(decodeURIComponent(anchor))) problems.push(`${file}: ${target}: no heading #${anchor} in ${resolved}`);
		}
	}
	return { files, links, problems };
}

if (require.main === module) {
	const { files, links, problems } = checkLinks(process.argv[2] || process.cwd());
	console.log(`${files.length} files, ${links} relative links, ${problems.length} broken`);
	for (const p of problems) console.log(`  ${p}`);
	process.exitCode = problems.length ? 1 : 0;
}

module.exports = { checkLinks };
