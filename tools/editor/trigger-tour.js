'use strict';
// The Flowella Trigger's "Listen for test event" in the real n8n editor (opened by chromium.js):
// signs in, opens the trigger's panel, shows its Test URL, starts listening
// (n8n 1.123 and 2.40 label the button "Execute step"; it turns into "Stop Listening"), lets the
// caller send deliveries to the Test URL while n8n listens, then reads the output panel.
// Saves trigger-panel.png and trigger-test-event.png. Used by e2e/trigger-editor.e2e.test.js.
const fs = require('node:fs');
const path = require('node:path');

const { openWorkflow, tourUnavailable } = require('./chromium');

const NDV = '[data-test-id="ndv"]';
/** The NDV's own execute button; on a webhook trigger it starts listening for a test event. */
const LISTEN_BUTTON = '[data-test-id="node-execute-button"]';
/** The left pane while n8n waits: "Listening for test event … Stop Listening". */
const LISTENING = '[data-test-id="trigger-listening"]';
const OUTPUT = '[data-test-id="output-panel"]';

/**
 * @param {{ url: string, email: string, password: string, workflowId: string, nodeName?: string,
 *   screenshotDir: string, log?: (line: string) => void,
 *   whileListening: (listening: { testUrl: string, isListening: () => Promise<boolean> }) => Promise<void> }} options
 *   `whileListening` runs once n8n listens: it sends the deliveries; the tour then waits for the output.
 * @returns {Promise<{ testUrl: string, panelText: string, listeningText: string, buttonText: string,
 *   outputJson: any[], screenshots: string[] }>}
 */
async function tourTriggerEditor({ url, email, password, workflowId, nodeName = 'Flowella Trigger', screenshotDir, whileListening, log = () => {} }) {
	fs.mkdirSync(screenshotDir, { recursive: true });
	const screenshots = [];
	// The machine is shared and slow: generous waits, no fixed sleeps where a condition exists.
	const { browser, page, node } = await openWorkflow({ url, email, password, workflowId, nodeName, timeoutMs: 60_000, log, prefix: '[trigger-tour]' });
	try {
		const shot = async (name) => {
			const file = path.join(screenshotDir, name);
			await page.mouse.move(1, 1);
			await page.screenshot({ path: file, animations: 'disabled' });
			screenshots.push(file);
			log(`[trigger-tour] saved ${file}`);
		};

		await node.dblclick();
		const ndv = page.locator(NDV);
		await ndv.waitFor();

		log('[trigger-tour] showing the Test URL');
		const parameters = ndv.locator('[data-test-id="node-parameters"]');
		await parameters.getByText('Webhook URLs', { exact: true }).first().click();
		await parameters.getByText(/\/webhook-test\//).first().waitFor();
		const panelText = await parameters.innerText();
		const testUrl = panelText.match(/https?:\/\/\S+\/webhook-test\/\S+/)?.[0];
		if (!testUrl) throw new Error(`no Test URL in the trigger's panel:\n${panelText}`);
		await shot('trigger-panel.png');

		log('[trigger-tour] listening for a test event');
		const button = ndv.locator(LISTEN_BUTTON).first();
		const buttonText = (await button.innerText()).trim();
		await button.click();
		const listening = ndv.locator(LISTENING);
		await listening.waitFor();
		const listeningText = (await listening.innerText()).trim();
		await whileListening({ testUrl, isListening: () => listening.isVisible() });

		log('[trigger-tour] reading the output');
		const output = ndv.locator(OUTPUT);
		await output.locator('[data-test-id="ndv-items-count"]').first().waitFor({ timeout: 120_000 });
		await output.locator('[data-test-id="radio-button-json"]').first().click();
		const outputJson = await readJsonOutput(output);
		// n8n pops up a "you can pin this output" hint over the panel after a trigger's first run.
		await page.addStyleTag({ content: '[role="tooltip"] { visibility: hidden !important; }' });
		await shot('trigger-test-event.png');
		return { testUrl, panelText, listeningText, buttonText, outputJson, screenshots };
	} finally {
		await browser.close();
	}
}

/** The output panel's JSON view, parsed: the items the trigger emitted. */
async function readJsonOutput(output) {
	const view = output.locator('[data-test-id="ndv-data-container"]');
	await view.getByText('"event"').first().waitFor();
	// The viewer indents with non-breaking spaces.
	const text = (await view.innerText()).replace(/\u00a0/g, ' ');
	try {
		return JSON.parse(text.slice(text.indexOf('['), text.lastIndexOf(']') + 1));
	} catch (error) {
		throw new Error(`the output panel's JSON view did not parse (${error instanceof Error ? error.message : error}):\n${text}`);
	}
}

module.exports = { tourTriggerEditor, tourUnavailable };
