'use strict';
// The one way the harness opens the n8n editor: playwright-core with the system's Chromium
// (Debian: apt-get install chromium, or CHROMIUM_PATH), headless; signs in and opens a workflow.
// The tours (tour.js, trigger-tour.js) take the page from here and close the browser when done.
const fs = require('node:fs');

const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH ?? '', '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

function findChromium() {
	return CHROMIUM_CANDIDATES.find((candidate) => fs.existsSync(candidate));
}

function loadPlaywright() {
	try {
		return require('playwright-core');
	} catch {
		return undefined;
	}
}

/** Why the editor cannot be opened here, or undefined when it can. */
function tourUnavailable() {
	if (!loadPlaywright()) return 'playwright-core is not installed (npm install)';
	if (!findChromium()) return 'no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)';
	return undefined;
}

/**
 * Launches Chromium, signs in to the editor at `url`, opens workflow `workflowId`, waits for node
 * `nodeName` on the canvas and closes first-visit popups. The caller closes `browser`; when
 * opening fails, the browser is closed here.
 * @param {{ url: string, email: string, password: string, workflowId: string, nodeName: string,
 *   timeoutMs: number, log: (line: string) => void, prefix: string }} options
 */
async function openWorkflow({ url, email, password, workflowId, nodeName, timeoutMs, log, prefix }) {
	const playwright = loadPlaywright();
	if (!playwright) throw new Error(tourUnavailable());
	const browser = await playwright.chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS });
	try {
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
		const page = await context.newPage();
		page.setDefaultTimeout(timeoutMs);

		await signIn(page, { url, email, password, timeoutMs, log, prefix });

		log(`${prefix} opening workflow ${workflowId}`);
		await page.goto(`${url}/workflow/${workflowId}`);
		const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`);
		await node.waitFor();
		await dismissPopups(page);
		return { browser, page, node };
	} catch (error) {
		await browser.close();
		throw error;
	}
}

const SIGN_IN_TRIES = 3;

/**
 * Signs in through the form. A CI run once waited 60 s for an e-mail field that never showed (most
 * likely the page was opened before n8n served it: N8nServer.isReady now waits for that); should a
 * page come up without its form again, each try records what it showed and loads it again, and the
 * last error carries all of it.
 */
async function signIn(page, { url, email, password, timeoutMs, log, prefix }) {
	const misses = [];
	for (let attempt = 1; attempt <= SIGN_IN_TRIES; attempt++) {
		log(`${prefix} signing in${attempt > 1 ? ` (try ${attempt} of ${SIGN_IN_TRIES})` : ''}`);
		try {
			await page.goto(`${url}/signin`, { timeout: timeoutMs });
			const emailField = page.locator('input[name="emailOrLdapLoginId"], input[name="email"]').first();
			await emailField.waitFor({ timeout: Math.ceil(timeoutMs / 2) });
			await emailField.fill(email);
			await page.locator('input[name="password"]').fill(password);
			await page.locator('[data-test-id="form-submit-button"]').click();
			await page.waitForURL((target) => !target.pathname.includes('signin'));
			return;
		} catch (error) {
			const seen = await describePage(page);
			misses.push(`try ${attempt}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}; the page: ${seen}`);
			log(`${prefix} no sign-in on try ${attempt}: ${seen}`);
		}
	}
	throw new Error(`could not sign in to ${url} in ${SIGN_IN_TRIES} tries:\n${misses.join('\n')}`);
}

/** What a page shows, briefly: address, title and the start of its text. */
async function describePage(page) {
	const text = await page
		.locator('body')
		.innerText({ timeout: 2_000 })
		.catch(() => '(no text)');
	const title = await page.title().catch(() => '');
	return `${page.url()} "${title}" ${JSON.stringify(text.replace(/\s+/g, ' ').slice(0, 300))}`;
}

/** Closes first-visit popups (tours, surveys, banners) when they show up. */
async function dismissPopups(page) {
	for (const selector of ['[data-test-id="close-chat-button"]:visible', '.el-message-box__headerbtn:visible', '.el-dialog__headerbtn:visible']) {
		const close = page.locator(selector).first();
		if (await close.isVisible().catch(() => false)) await close.click().catch(() => {});
	}
}

module.exports = { openWorkflow, tourUnavailable };
