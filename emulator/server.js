'use strict';
// A Flowella API emulator: a real HTTP server on loopback that follows Flowella's API contract
// (as docs/ describes each operation), with knobs for latency, a token-bucket rate limit and injected faults.
// It shares no code with the node on purpose, so tests compare two independent readings of the contract.
const http = require('node:http');

const { analytics, emptyPage, listConversations, page, CONVERSATION_STATUSES, MESSAGE_STATUSES } = require('./reads');
const sending = require('./sending');

const E164 = /^\+[1-9]\d{1,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CONTACT_FIELDS = new Set(['phone', 'name', 'email', 'waId']);

/**
 * @typedef {{ ratePerSec: number, burst: number, retryAfter?: 'none' | 'seconds' | 'date' }} RateLimit
 * @typedef {{
 *   kind: 'status' | 'html' | 'reset' | 'malformed' | 'notContactRow' | 'json' | 'emptyPage' | 'hang' | 'slow' | 'redirect' | 'revokeKey',
 *   body?: unknown, status?: number, code?: string, message?: string, delayMs?: number, location?: string,
 *   retryAfter?: string, times?: number, path?: string, method?: string, phone?: string, after?: boolean
 * }} Fault
 * @typedef {{
 *   apiKeys?: string[], organizationId?: string, latencyMs?: number | { min: number, max: number },
 *   rateLimit?: RateLimit | null, faults?: Fault[], randomFaults?: { probability: number, kinds: Fault[], seed?: number } | null,
 *   billing?: boolean, freeFormWindowHours?: number | null, jobSpeedup?: number
 * }} EmulatorOptions
 * billing false: 402 on sends. freeFormWindowHours: Meta's 24-hour rule on free-form texts (null: off).
 * jobSpeedup: how many times faster than real time a job's throttle and schedule run.
 * @typedef {{ kind: 'message' | 'job' | 'optOut', seq: number, key: string, id: string }} HandledSend
 * @typedef {{ seq: number, at: number, method: string, path: string, query: Record<string, string>,
 *   authorization: string | undefined, body: unknown, status: number, answeredAt?: number, fault?: string }} RecordedRequest
 */

function envelope(code, message) {
	return JSON.stringify({ error: { code, message } });
}

/** A small deterministic generator, so a seeded fault mix repeats from run to run. */
function seededRandom(seed) {
	let state = seed >>> 0 || 1;
	return () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return (state >>> 0) / 4294967296;
	};
}

function validateContactBody(body) {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'Body must be a JSON object';
	for (const key of Object.keys(body)) if (!CONTACT_FIELDS.has(key)) return `Unrecognized key: "${key}"`;
	const { phone, name, email, waId } = body;
	if (typeof phone !== 'string') return 'phone: Required string';
	if (phone.length < 3 || phone.length > 32) return 'phone: must be 3 to 32 characters';
	if (!E164.test(phone)) return 'phone: must be in E.164 format';
	if (name !== undefined && name !== null) {
		if (typeof name !== 'string') return 'name: Expected string or null';
		if (name.length < 1 || name.length > 200) return 'name: must be 1 to 200 characters';
	}
	if (email !== undefined && email !== null) {
		if (typeof email !== 'string' || !EMAIL.test(email)) return 'email: Invalid email';
	}
	if (waId !== undefined && waId !== null) {
		if (typeof waId !== 'string') return 'waId: Expected string or null';
		if (waId.length < 1 || waId.length > 64) return 'waId: must be 1 to 64 characters';
	}
	return undefined;
}

class FlowellaEmulator {
	// The sending side's state, fresh; forgetSends() (on reset) sets it back to this.
	channels = sending.defaultChannels();
	templates = sending.defaultTemplates();
	/** Bulk template jobs, oldest first, each with its recipients. @type {any[]} */ jobs = [];
	/** Opt-outs by `${channelId} ${phone}`. @type {Map<string, any>} */ optOuts = new Map();
	/** Every send that reached the handler and was accepted, in order. @type {HandledSend[]} */ handled = [];
	sendingIndex = sending.freshSendingIndex();
	// Knobs, set by configure().
	/** Queued faults, each used `times` times. @type {(Fault & { times: number })[]} */ faults = [];
	/** @type {{ probability: number, kinds: Fault[], seed?: number } | null} */ randomFaults = null;
	random = seededRandom(42);
	/** How many `emptyPage` faults were answered: each one's cursor differs. */
	emptyPagesServed = 0;
	// The token bucket of `rateLimit`.
	tokens = 0;
	refilledAt = Date.now();

	/** @param {EmulatorOptions} [options] */
	constructor(options = {}) {
		this.apiKeys = new Set(options.apiKeys ?? ['flo_test_key']);
		this.organizationId = options.organizationId ?? 'org_emulator';
		/** @type {RecordedRequest[]} */
		this.requests = [];
		/** @type {Map<string, any>} */
		this.contacts = new Map();
		/** @type {any[]} */
		this.conversations = [];
		/** Outbound and inbound messages, for analytics. @type {any[]} */
		this.messages = [];
		this.nextId = 1;
		this.jobClock = new sending.JobClock(this);
		this.lastTimestamp = 0;
		this.sockets = new Set();
		this.inFlight = 0;
		this.maxInFlight = 0;
		this.server = http.createServer((req, res) => this.handle(req, res));
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		this.configure({ latencyMs: 0, rateLimit: null, faults: [], randomFaults: null, ...sending.SENDING_DEFAULTS, ...options });
		/** What reset() returns the sending knobs to. */
		this.sendingDefaults = { billing: this.billing, freeFormWindowHours: this.freeFormWindowHours, jobSpeedup: this.jobSpeedup };
	}

	/** Changes knobs while running; only the keys given change. @param {EmulatorOptions} knobs */
	configure(knobs) {
		if (knobs.apiKeys) this.apiKeys = new Set(knobs.apiKeys);
		if ('latencyMs' in knobs) this.latencyMs = knobs.latencyMs ?? 0;
		if ('rateLimit' in knobs) {
			this.rateLimit = knobs.rateLimit ?? null;
			this.tokens = this.rateLimit ? this.rateLimit.burst : 0;
			this.refilledAt = Date.now();
		}
		if ('faults' in knobs) this.faults = (knobs.faults ?? []).map((fault) => ({ times: 1, ...fault }));
		if ('randomFaults' in knobs) {
			this.randomFaults = knobs.randomFaults ?? null;
			this.random = seededRandom(this.randomFaults?.seed ?? 42);
		}
		if ('billing' in knobs) this.billing = knobs.billing !== false;
		if ('freeFormWindowHours' in knobs) this.freeFormWindowHours = knobs.freeFormWindowHours ?? null;
		if ('jobSpeedup' in knobs) {
			const speedup = Number(knobs.jobSpeedup ?? sending.SENDING_DEFAULTS.jobSpeedup);
			if (!(speedup > 0)) throw new Error('jobSpeedup must be a positive number');
			this.jobSpeedup = speedup;
		}
	}

	/**
	 * Forgets contacts, recorded requests and everything sent; channels and templates go back to
	 * the defaults, and so do billing, the 24-hour window and the job speedup (to the values the
	 * emulator was created with). Other knobs stay.
	 */
	reset() {
		this.requests = [];
		this.contacts.clear();
		this.conversations = [];
		this.messages = [];
		this.nextId = 1;
		this.maxInFlight = 0;
		this.forgetSends();
		this.configure(this.sendingDefaults);
	}

	/** The sending side's state: default channels and templates, no jobs, opt-outs or handled sends, no job timers. */
	forgetSends() {
		this.jobClock.clear();
		this.channels = sending.defaultChannels();
		this.templates = sending.defaultTemplates();
		this.jobs = [];
		this.optOuts = new Map();
		this.handled = [];
		this.sendingIndex = sending.freshSendingIndex();
	}

	get url() {
		const address = this.server.address();
		if (!address || typeof address === 'string') throw new Error('emulator is not listening');
		return `http://127.0.0.1:${address.port}`;
	}

	/** @param {number} [port] 0 picks a free port */
	listen(port = 0, host = '127.0.0.1') {
		return new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, host, () => resolve(this.url));
		});
	}

	close() {
		this.jobClock.clear();
		for (const socket of this.sockets) socket.destroy();
		return new Promise((resolve) => this.server.close(() => resolve(undefined)));
	}

	/** Requests to one path and method, e.g. ('POST', '/api/v1/contacts'). */
	requestsTo(method, path) {
		return this.requests.filter((request) => request.method === method && request.path === path);
	}

	timestamp() {
		// Strictly increasing, so an update always moves updatedAt even within one millisecond.
		this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
		return new Date(this.lastTimestamp).toISOString();
	}

	takeToken() {
		const limit = this.rateLimit;
		if (!limit) return { ok: true };
		const now = Date.now();
		this.tokens = Math.min(limit.burst, this.tokens + ((now - this.refilledAt) / 1000) * limit.ratePerSec);
		this.refilledAt = now;
		if (this.tokens >= 1) {
			this.tokens -= 1;
			return { ok: true };
		}
		return { ok: false, waitMs: ((1 - this.tokens) / limit.ratePerSec) * 1000 };
	}

	/** Outbound messages to one phone, from Send Text and from jobs, oldest first. */
	messagesTo(phone) {
		return this.messages.filter((message) => message.direction === 'outbound' && message.to === phone);
	}

	/** Recipients messaged the same thing more than once: `{ phone, text | templateId, count }`. */
	duplicates() {
		return sending.findDuplicates(this);
	}

	/** Creates every remaining message of every job now (scheduled ones too). */
	settleJobs() {
		this.jobClock.settle();
		return Promise.resolve();
	}

	/** The next queued fault that matches this request (by path and, if set, by the body's phone, message `to` or a job's first recipient). */
	nextFault(path, body, method) {
		const phone = body && typeof body === 'object' ? (body.phone ?? body.to ?? body.recipients?.[0]?.phone) : undefined;
		const index = this.faults.findIndex(
			(fault) =>
				(!fault.path || fault.path === path) && (!fault.method || fault.method === method) && (!fault.phone || fault.phone === phone),
		);
		if (index >= 0) {
			const fault = this.faults[index];
			fault.times -= 1;
			if (fault.times <= 0) this.faults.splice(index, 1);
			return fault;
		}
		const random = this.randomFaults;
		if (random && path.startsWith('/api/') && this.random() < random.probability) {
			return random.kinds[Math.floor(this.random() * random.kinds.length)];
		}
		return undefined;
	}

	latency() {
		const latency = this.latencyMs ?? 0;
		if (typeof latency === 'number') return latency;
		return latency.min + Math.random() * (latency.max - latency.min);
	}

	/** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
	async handle(req, res) {
		this.inFlight += 1;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		res.on('close', () => {
			this.inFlight -= 1;
		});
		const chunks = [];
		for await (const chunk of req) chunks.push(chunk);
		const raw = Buffer.concat(chunks).toString('utf8');
		const url = new URL(req.url ?? '/', 'http://emulator');
		/** @type {RecordedRequest} */
		const record = {
			seq: this.requests.length + 1,
			at: Date.now(),
			method: req.method ?? 'GET',
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			authorization: req.headers.authorization,
			body: raw,
			status: 0,
		};
		try {
			record.body = raw ? JSON.parse(raw) : undefined;
		} catch {
			// Kept as text: the handler answers 400 for it.
		}

		if (url.pathname.startsWith('/__emulator/')) return this.control(req, res, url, record.body);
		this.requests.push(record);

		const latency = this.latency();
		if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
		const send = (status, body, headers = {}) => {
			record.status = status;
			record.answeredAt = Date.now();
			if (res.destroyed) return;
			res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
			res.end(body);
		};

		const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
		if (!auth) return send(401, envelope('UNAUTHORIZED', 'Missing API key'));
		if (!this.apiKeys.has(auth[1])) return send(401, envelope('UNAUTHORIZED', 'Invalid API key'));

		const token = this.takeToken();
		if (!token.ok) {
			record.fault = 'rateLimited';
			return send(429, envelope('RATE_LIMITED', 'Too many requests'), this.retryAfterHeader(token.waitMs));
		}

		const fault = this.nextFault(url.pathname, record.body, record.method);
		if (fault && !fault.after) {
			record.fault = fault.kind;
			return this.injectFault(fault, res, record, send, undefined);
		}
		const answer = this.route(record);
		if (fault) {
			record.fault = fault.kind;
			return this.injectFault(fault, res, record, send, answer);
		}
		return send(answer.status, JSON.stringify(answer.body));
	}

	retryAfterHeader(waitMs, mode = this.rateLimit?.retryAfter ?? 'seconds') {
		if (mode === 'none') return {};
		const seconds = Math.max(1, Math.ceil(waitMs / 1000));
		if (mode === 'date') return { 'Retry-After': new Date(Date.now() + seconds * 1000).toUTCString() };
		return { 'Retry-After': String(seconds) };
	}

	/** @param {Fault} fault */
	injectFault(fault, res, record, send, answer) {
		switch (fault.kind) {
			case 'status': {
				const status = fault.status ?? 500;
				const headers = fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {};
				return send(status, envelope(fault.code ?? 'INTERNAL_ERROR', fault.message ?? 'Internal server error'), headers);
			}
			case 'html':
				record.status = fault.status ?? 502;
				res.writeHead(record.status, { 'Content-Type': 'text/html' });
				return res.end('<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>');
			case 'reset':
				// Headers and half a body go out, then the connection drops.
				record.status = -1;
				res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '400' });
				res.write('{"id":"');
				return setTimeout(() => res.socket?.destroy(), 5);
			case 'malformed':
				return send(200, '{"id": "ct_broken", "phone": ');
			case 'notContactRow':
				return send(200, JSON.stringify({ ok: true, items: [] }));
			case 'json':
				// Any answer a test needs: a page whose cursor loops, a list in the wrong shape.
				return send(fault.status ?? 200, JSON.stringify(fault.body ?? null));
			case 'emptyPage': {
				// A list page with no items and a new cursor to where this one pointed.
				this.emptyPagesServed += 1;
				const { status, body } = emptyPage(record.query, this.emptyPagesServed);
				return send(status, JSON.stringify(body));
			}
			case 'hang':
				record.status = -1;
				return undefined;
			case 'slow':
				return setTimeout(() => {
					const { status, body } = answer ?? this.route(record);
					send(status, JSON.stringify(body));
				}, fault.delayMs ?? 1000);
			case 'redirect':
				return send(fault.status ?? 307, '', { Location: fault.location ?? 'http://127.0.0.1:1/api/v1/contacts' });
			case 'revokeKey': {
				// The key is deleted in Flowella mid-run: this request and every later one with it get 401.
				const key = /^Bearer (.+)$/.exec(record.authorization ?? '')?.[1];
				if (key) this.apiKeys.delete(key);
				return send(401, envelope('UNAUTHORIZED', fault.message ?? 'Invalid API key'));
			}
		}
	}

	route(record) {
		const { method, path } = record;
		if (path === '/api/v1/ping' && method === 'GET') {
			return { status: 200, body: { ok: true, organizationId: this.organizationId } };
		}
		if (path === '/api/v1/contacts' && method === 'POST') return this.upsert(record.body);
		if (path === '/api/v1/contacts' && method === 'GET') return page([...this.contacts.values()], record.query);
		if (path === '/api/v1/conversations' && method === 'GET') return listConversations(this.conversations, record.query);
		if (path === '/api/v1/analytics' && method === 'GET') return analytics(this.messages, record.query);
		if (path === '/api/v1/messages' && method === 'POST') return sending.sendText(this, record);
		if (path === '/api/v1/opt-outs' && method === 'POST') return sending.setOptOut(this, record);
		if (path === '/api/v1/templates/send' && method === 'POST') {
			const answer = sending.sendTemplate(this, record);
			if (answer.status === 200) this.jobClock.start(this.jobs[this.jobs.length - 1]);
			return answer;
		}
		return { status: 404, body: { error: { code: 'NOT_FOUND', message: `No route for ${method} ${path}` } } };
	}

	upsert(body) {
		if (typeof body === 'string') return { status: 400, body: { error: { code: 'VALIDATION_ERROR', message: 'Malformed JSON body' } } };
		const problem = validateContactBody(body);
		if (problem) return { status: 400, body: { error: { code: 'VALIDATION_ERROR', message: problem } } };
		const now = this.timestamp();
		const existing = this.contacts.get(body.phone);
		const row = existing ?? {
			id: `ct_${String(this.nextId++).padStart(6, '0')}`,
			phone: body.phone,
			waId: null,
			name: null,
			email: null,
			isOptedOut: false,
			createdAt: now,
			updatedAt: now,
		};
		for (const field of ['name', 'email', 'waId']) if (field in body) row[field] = body[field];
		row.updatedAt = now;
		this.contacts.set(body.phone, row);
		return { status: 200, body: { ...row } };
	}

	/**
	 * Adds generated data: `contacts` contacts, `conversations` conversations (statuses in turn,
	 * each with a contact) and `messages` outbound messages (statuses in turn, one a minute back
	 * from `messagesUntil`). Deterministic, so tests can count what they expect. `inbound` adds
	 * messages from contacts (at `at`, default now), which open WhatsApp's 24-hour window.
	 * @param {{ contacts?: number, conversations?: number, messages?: number, messagesUntil?: string,
	 *   inbound?: { phone: string, at?: string, text?: string, whatsappChannelId?: string }[] }} counts
	 */
	seed({ contacts = 0, conversations = 0, messages = 0, messagesUntil = new Date().toISOString(), inbound = [] } = {}) {
		for (const message of inbound) {
			const { problem } = sending.recordInbound(this, message);
			if (problem) throw new Error(`seed inbound: ${problem}`);
		}
		const first = this.contacts.size;
		for (let n = first; n < first + contacts; n++) {
			this.upsert({ phone: `+3460${String(n).padStart(7, '0')}`, name: `Contact ${n}` });
		}
		const people = [...this.contacts.values()];
		for (let n = 0; n < conversations; n++) {
			const contact = people[n % Math.max(1, people.length)] ?? this.upsert({ phone: `+3469${String(n).padStart(7, '0')}` }).body;
			const at = this.timestamp();
			this.conversations.push({
				id: `cv_${String(this.conversations.length + 1).padStart(6, '0')}`,
				status: CONVERSATION_STATUSES[n % CONVERSATION_STATUSES.length],
				createdAt: at,
				lastMessageAt: at,
				whatsappChannelId: 'ch_emulator_default',
				contact: { id: contact.id, phone: contact.phone, name: contact.name, waId: contact.waId },
			});
		}
		const until = Date.parse(messagesUntil);
		for (let n = 0; n < messages; n++) {
			this.messages.push({
				id: `msg_seed_${this.messages.length + 1}`,
				direction: 'outbound',
				status: MESSAGE_STATUSES[n % MESSAGE_STATUSES.length],
				createdAt: new Date(until - n * 60_000).toISOString(),
			});
		}
		return { contacts: this.contacts.size, conversations: this.conversations.length, messages: this.messages.length };
	}

	/** Test and playground control under /__emulator/, outside Flowella's /api namespace. */
	control(req, res, url, body) {
		const reply = (status, value) => {
			res.writeHead(status, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify(value));
		};
		const route = `${req.method} ${url.pathname}`;
		if (route === 'GET /__emulator/requests') return reply(200, this.requests);
		if (route === 'GET /__emulator/contacts') return reply(200, [...this.contacts.values()]);
		if (route === 'GET /__emulator/stats') {
			const { requests, maxInFlight, contacts, messages, jobs, optOuts } = this;
			return reply(200, { requests: requests.length, maxInFlight, contacts: contacts.size, messages: messages.length, jobs: jobs.length, optOuts: optOuts.size });
		}
		if (route === 'GET /__emulator/messages') return reply(200, this.messages);
		if (route === 'GET /__emulator/jobs') return reply(200, this.jobs);
		if (route === 'GET /__emulator/opt-outs') return reply(200, [...this.optOuts.values()]);
		if (route === 'GET /__emulator/handled') return reply(200, this.handled);
		if (route === 'GET /__emulator/duplicates') return reply(200, this.duplicates());
		if (route === 'POST /__emulator/inbound') {
			const { message, problem } = sending.recordInbound(this, body && typeof body === 'object' ? body : {});
			return problem ? reply(400, { error: { code: 'VALIDATION_ERROR', message: problem } }) : reply(200, message);
		}
		if (route === 'POST /__emulator/settle-jobs') {
			this.jobClock.settle();
			return reply(200, { ok: true, jobs: this.jobs.length });
		}
		if (route === 'POST /__emulator/reset') {
			this.reset();
			return reply(200, { ok: true });
		}
		if (route === 'POST /__emulator/seed') return reply(200, this.seed(body && typeof body === 'object' ? body : {}));
		if (route === 'POST /__emulator/config') {
			try {
				this.configure(body && typeof body === 'object' ? body : {});
			} catch (error) {
				return reply(400, { error: { code: 'VALIDATION_ERROR', message: error instanceof Error ? error.message : String(error) } });
			}
			return reply(200, { ok: true });
		}
		return reply(404, { error: { code: 'NOT_FOUND', message: route } });
	}
}

/** Starts an emulator on a free loopback port. @param {EmulatorOptions & { port?: number }} [options] */
async function startEmulator(options = {}) {
	const emulator = new FlowellaEmulator(options);
	await emulator.listen(options.port ?? 0);
	return emulator;
}

module.exports = { FlowellaEmulator, startEmulator, validateContactBody };
