'use strict';
// A throwaway PostgreSQL cluster on a random loopback port: initdb into a temp folder, one
// database for n8n (password authentication), durability off (nothing here must survive a crash).
// PostgreSQL refuses to run as root: as root, initdb and postgres run as the `postgres` user
// (Debian's package creates it) or `nobody`, owning the data folder.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { freePort } = require('../n8n-harness');
const { Service, aptInstall, log, tempDir, waitFor } = require('./processes');

const DATABASE = 'n8n';
const USER = 'n8n';
const PASSWORD = 'n8n-queue-test';

/** The newest /usr/lib/postgresql/<major>/bin that has the server binaries, if any. */
function findBin() {
	const base = '/usr/lib/postgresql';
	if (!fs.existsSync(base)) return undefined;
	const majors = fs
		.readdirSync(base)
		.filter((name) => fs.existsSync(path.join(base, name, 'bin', 'postgres')) && fs.existsSync(path.join(base, name, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return majors.length ? path.join(base, majors[0], 'bin') : undefined;
}

function userExists(name) {
	return spawnSync('id', ['-u', name], { stdio: 'ignore' }).status === 0;
}

/** [command, args] that runs `command args` as `user` (or as is when not root). */
/**
 * @param {string | undefined} user
 * @param {string} command
 * @param {string[]} args
 * @returns {[string, string[]]}
 */
function asUser(user, command, args) {
	if (!user) return [command, args];
	return ['runuser', ['-u', user, '--', command, ...args]];
}

/**
 * Starts PostgreSQL; resolves to { port, host, database, user, password, client(), query(), stop() }.
 * @param {{ pg: any }} options pg: the `pg` module (n8n's own copy)
 */
async function startPostgres({ pg }) {
	aptInstall('postgresql', () => Boolean(findBin()));
	const bin = findBin();
	if (!bin) throw new Error('PostgreSQL binaries not found after installing postgresql');
	const root = tempDir('flowella-queue-pg-');
	const isRoot = process.getuid?.() === 0;
	const runAs = isRoot ? (userExists('postgres') ? 'postgres' : 'nobody') : undefined;
	const dataDir = path.join(root, 'data');
	const socketDir = path.join(root, 'socket');
	fs.mkdirSync(dataDir, { mode: 0o700 });
	fs.mkdirSync(socketDir, { mode: 0o700 });
	if (runAs) {
		// The service user must reach its folders inside root's temp folder.
		fs.chmodSync(root, 0o755);
		const uid = Number(spawnSync('id', ['-u', runAs], { encoding: 'utf8' }).stdout.trim());
		const gid = Number(spawnSync('id', ['-g', runAs], { encoding: 'utf8' }).stdout.trim());
		fs.chownSync(dataDir, uid, gid);
		fs.chownSync(socketDir, uid, gid);
	}
	const pwFile = path.join(root, 'pw');
	fs.writeFileSync(pwFile, PASSWORD, { mode: 0o644 });
	const [initCommand, initArgs] = asUser(runAs, path.join(bin, 'initdb'), [
		'-D', dataDir, '-U', USER, '--pwfile', pwFile, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-sync', '--no-instructions',
	]);
	const init = spawnSync(initCommand, initArgs, { cwd: root, encoding: 'utf8' });
	fs.rmSync(pwFile);
	if (init.status !== 0) throw new Error(`initdb failed (${init.status})\n${init.stdout}\n${init.stderr}`);

	const port = await freePort();
	const settings = {
		listen_addresses: '127.0.0.1',
		port: String(port),
		unix_socket_directories: socketDir,
		fsync: 'off',
		synchronous_commit: 'off',
		full_page_writes: 'off',
		max_connections: '200',
		shared_buffers: '128MB',
	};
	const [command, args] = asUser(runAs, path.join(bin, 'postgres'), [
		'-D', dataDir, ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
	]);
	// SIGINT is PostgreSQL's fast shutdown: it does not wait for n8n's pooled connections.
	const service = new Service(`postgres :${port}`, command, args, { cwd: root, stopSignal: 'SIGINT', graceMs: 10_000 });
	const connection = { host: '127.0.0.1', port, user: USER, password: PASSWORD };
	await waitFor(
		'PostgreSQL to accept connections',
		async () => {
			const client = new pg.Client({ ...connection, database: 'postgres' });
			await client.connect();
			await client.end();
			return true;
		},
		{ service, timeoutMs: 60_000 },
	);
	await query(pg, { ...connection, database: 'postgres' }, `CREATE DATABASE ${DATABASE}`);
	log(`[queue] PostgreSQL ${path.basename(path.dirname(bin))} on 127.0.0.1:${port}${runAs ? ` (as ${runAs})` : ''}`);
	const db = { ...connection, database: DATABASE };
	return {
		...db,
		service,
		/** A pool for reading n8n's tables while it runs. */
		pool: () => new pg.Pool({ ...db, max: 4 }),
		stop: () => service.stop(),
		env: () => ({
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: db.host,
			DB_POSTGRESDB_PORT: String(db.port),
			DB_POSTGRESDB_DATABASE: db.database,
			DB_POSTGRESDB_USER: db.user,
			DB_POSTGRESDB_PASSWORD: db.password,
		}),
	};
}

async function query(pg, connection, sql, params) {
	const client = new pg.Client(connection);
	await client.connect();
	try {
		return await client.query(sql, params);
	} finally {
		await client.end();
	}
}

module.exports = { startPostgres, findBin };
