#!/usr/bin/env node
'use strict';
// Refreshes docs/screenshots/ from a running playground: start `npm start` in another terminal,
// then `node scripts/n8n-screenshots.js` (needs Chromium: apt-get install chromium).
//   --url http://localhost:5678  --workflow flowellaExample1  --out docs/screenshots
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { ROOT } = require('../tools/n8n-harness');
const { tourEditor, tourUnavailable } = require('../tools/editor/tour');

async function main() {
	const { values } = parseArgs({
		options: {
			url: { type: 'string', default: `http://localhost:${process.env.FLOWELLA_PLAYGROUND_PORT ?? '5678'}` },
			email: { type: 'string', default: process.env.FLOWELLA_PLAYGROUND_EMAIL ?? 'playground@example.com' },
			password: { type: 'string', default: process.env.FLOWELLA_PLAYGROUND_PASSWORD ?? 'Flowella-playground-1' },
			workflow: { type: 'string', default: 'flowellaExample1' },
			out: { type: 'string', default: path.join(ROOT, 'docs', 'screenshots') },
		},
	});
	const unavailable = tourUnavailable();
	if (unavailable) throw new Error(unavailable);
	const health = await fetch(`${values.url}/healthz`).catch(() => undefined);
	if (!health?.ok) throw new Error(`no n8n answers at ${values.url}: start the playground with npm start first`);
	const common = {
		url: values.url,
		email: values.email,
		password: values.password,
		log: (line) => process.stderr.write(`${line}\n`),
	};
	const tour = await tourEditor({ ...common, workflowId: values.workflow, screenshotDir: path.resolve(values.out) });
	if (tour.nodesPanel.name !== 'Flowella') throw new Error(`the nodes panel shows "${tour.nodesPanel.name}"`);
	const written = [...tour.screenshots];
	if (values.workflow === 'flowellaExample1') {
		// The error-output example's finished run, too.
		const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowella-shots-'));
		const errorTour = await tourEditor({ ...common, workflowId: 'flowellaExample3', screenshotDir: scratch });
		const target = path.join(path.resolve(values.out), 'error-output-run.png');
		const finished = errorTour.screenshots.find((file) => file.endsWith('finished-run.png'));
		if (!finished) throw new Error('the error-output tour saved no finished-run.png');
		fs.copyFileSync(finished, target);
		fs.rmSync(scratch, { recursive: true, force: true });
		written.push(target);
	}
	process.stdout.write(`${written.map((file) => path.relative(process.cwd(), file)).join('\n')}\n`);
}

main().catch((error) => {
	process.stderr.write(`${error.message}\n`);
	process.exit(1);
});
