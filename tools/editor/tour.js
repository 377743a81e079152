'use strict';
// A look at the Flowella node in the real n8n editor (opened by chromium.js): signs in, opens an
// example workflow, finds the node in the nodes panel, opens its panel, executes the workflow and
// opens the result. Saves screenshots on the way. Used by e2e/examples-editor.e2e.test.js and
// scripts/n8n-screenshots.js.
const fs = require('node:fs');
const path = require('node:path');

const { openWorkflow, tourUnavailable } = require('./chromium');

/**
 * @param {{ url: string, email: string, password: string, workflowId: string, nodeName?: string,
 *   screenshotDir: string, log?: (line: string) => void }} options
 * @returns {Promise<{ nodesPanel: { name: string, description: string, hasIcon: boolean }, outputText: string,
 *   screenshots: string[] }>}
 */
async function tourEditor({ url, email, password, workflowId, nodeName = 'Flowella', screenshotDir, log = () => {} }) {
	fs.mkdirSync(screenshotDir, { recursive: true });
	const screenshots = [];
	const { browser, page, node } = await openWorkflow({ url, email, password, workflowId, nodeName, timeoutMs: 30_000, log, prefix: '[tour]' });
	try {
		const shot = async (name, locator) => {
			const file = path.join(screenshotDir, name);
			await (locator ?? page).screenshot({ path: file });
			screenshots.push(file);
			log(`[tour] saved ${file}`);
		};

		log('[tour] searching the nodes panel');
		await page.locator('[data-test-id="node-creator-plus-button"]').click();
		const search = page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first();
		await search.waitFor();
		await search.fill('Flowella');
		const item = page.locator('[data-test-id="node-creator-node-item"], [data-test-id="node-creator-action-item"], [data-test-id="item-iterator-item"]')
			.filter({ has: page.locator('[data-test-id="node-creator-item-name"]', { hasText: /^Flowella$/ }) })
			.first();
		await item.waitFor();
		const nodesPanel = {
			name: (await item.locator('[data-test-id="node-creator-item-name"]').first().innerText()).trim(),
			// n8n 1.x shows no description for a node with a single action.
			description: (await item.locator('[data-test-id="node-creator-item-description"]').count())
				? (await item.locator('[data-test-id="node-creator-item-description"]').first().innerText()).trim()
				: '',
			hasIcon: (await item.locator('img, svg').count()) > 0,
		};
		await shot('nodes-panel.png');
		await page.keyboard.press('Escape');
		await page.locator('[data-test-id="node-creator"]').waitFor({ state: 'hidden' }).catch(() => {});

		log('[tour] opening the Flowella node');
		await node.dblclick();
		const ndv = page.locator('[data-test-id="ndv"]');
		await ndv.waitFor();
		await page.locator('[data-test-id="parameter-input-phone"], [data-test-id="parameter-item"]').first().waitFor();
		await page.waitForTimeout(500);
		await shot('node-panel.png');
		await closeNdv(page);

		log('[tour] executing the workflow');
		await page.locator('[data-test-id="execute-workflow-button"]').click();
		await page
			.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"] [data-test-id="canvas-node-status-success"]`)
			.waitFor({ timeout: 60_000 });
		await page.waitForTimeout(500);
		await shot('finished-run.png');

		log('[tour] opening the result');
		await node.dblclick();
		await ndv.waitFor();
		const output = page.locator('[data-test-id="output-panel"]');
		await output.waitFor();
		await output.getByText('createdAt').first().waitFor();
		await page.waitForTimeout(500);
		const outputText = await output.innerText();
		await shot('node-output.png');
		await closeNdv(page);
		return { nodesPanel, outputText, screenshots };
	} finally {
		await browser.close();
	}
}

async function closeNdv(page) {
	await page.keyboard.press('Escape');
	await page.locator('[data-test-id="ndv"]').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
}

module.exports = { tourEditor, tourUnavailable };
