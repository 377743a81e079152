'use strict';
// Prints the scenarios' figures and checks (the JSON file beside has everything).

function printReport(report) {
	const out = (line = '') => process.stdout.write(`${line}\n`);
	out();
	out(`== Queue mode: n8n ${report.n8n}, ${report.size} sizes (set-up ${report.setupSeconds} s, total ${report.totalSeconds} s)`);
	for (const result of report.results) {
		out();
		out(`${result.title} (${result.seconds} s)`);
		for (const [key, value] of Object.entries(result.result)) {
			out(`  ${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}`);
		}
		for (const check of result.checks) {
			const mark = check.ok ? 'ok  ' : check.hard ? 'FAIL' : 'miss';
			out(`  [${mark}] ${check.name}${check.detail && !check.ok ? `\n${check.detail}` : ''}`);
		}
	}
	const failed = report.results.flatMap((result) => result.checks.filter((check) => check.hard && !check.ok));
	out();
	out(failed.length ? `== ${failed.length} check(s) failed` : '== all hard checks passed');
}

module.exports = { printReport };
