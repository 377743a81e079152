'use strict';
// A throwaway Redis on a random loopback port: no persistence, its folder under a temp dir.
// Debian's redis-server is installed with apt-get when missing (CI machines start bare).
const { spawnSync } = require('node:child_process');

const { freePort } = require('../n8n-harness');
const { Service, aptInstall, log, tempDir, tcpOpen, waitFor } = require('./processes');

function haveRedis() {
	return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Starts redis-server; resolves to { port, host, service, env(), stop() }. */
async function startRedis() {
	aptInstall('redis-server', haveRedis);
	const dir = tempDir('flowella-queue-redis-');
	const port = await freePort();
	const service = new Service(
		`redis :${port}`,
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'],
		{ cwd: dir, graceMs: 5000 },
	);
	await waitFor('Redis to accept connections', () => tcpOpen(port), { service, timeoutMs: 30_000 });
	const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.match(/v=(\S+)/)?.[1];
	log(`[queue] Redis ${version ?? ''} on 127.0.0.1:${port}`);
	return {
		host: '127.0.0.1',
		port,
		service,
		stop: () => service.stop(),
		env: () => ({ QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(port) }),
	};
}

module.exports = { startRedis };
