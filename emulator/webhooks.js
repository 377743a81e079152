#!/usr/bin/env node
'use strict';
// Flowella's webhook sender, for tests, the benchmark and the playground: signs like Flowella
// (hex HMAC-SHA256 of the raw body, X-Flowella-Timestamp/-Event/-Delivery headers), sends the
// event types a webhook subscribes to, retries a non-2xx answer on a back-off schedule whose
// clock can be compressed, and records every answer. Tampered deliveries (forged, unsigned,
// corrupted, stale, replayed, delayed…) test the receiver. Shares no code with the node.
//
//   node emulator/webhooks.js --url http://localhost:5678/webhook/<id> --secret <secret>
//   node emulator/webhooks.js --events message.received --count 3 --duplicates --mode forge
const crypto = require('node:crypto');
const { parseArgs } = require('node:util');

const EVENT_TYPES = [
	'message.received',
	'message.sent',
	'message.delivered',
	'message.read',
	'message.failed',
	'conversation.opened',
	'conversation.closed',
	'optout.created',
	'template.status_updated',
];
const TEST_EVENT = 'webhook.test';
/** Pages disagree on Flowella's schedule; this one has the documented shape: growing waits, 10 tries. */
const DEFAULT_SCHEDULE_MS = [10_000, 30_000, 60_000, 5 * 60_000, 15 * 60_000, 30 * 60_000, 60 * 60_000, 2 * 60 * 60_000, 4 * 60 * 60_000];
const TIMEOUT_MS = 10_000;
/** Flowella disables a webhook after this many failed deliveries in a row. */
const MAX_CONSECUTIVE_FAILURES = 10;
const USER_AGENT = 'Flowella-Webhooks/1';

/** The playground's trigger (tools/n8n-examples.js): its fixed webhook id and signing secret. */
const PLAYGROUND_WEBHOOK = {
	webhookId: 'f10e11a0-7e57-4b1d-9c3a-00000000aa11',
	secret: 'whsec_playground_local_only_5ecret',
	credential: { id: 'flowellaHookSbx1', name: 'Flowella webhook (local sandbox)' },
};

const TAMPER_MODES = ['forge', 'unsigned', 'corrupt', 'stale', 'future', 'noTimestamp', 'notJson', 'wrongContentType'];

/** Hex HMAC-SHA256 of the raw body bytes with the signing secret. */
function signBody(secret, raw) {
	return crypto.createHmac('sha256', secret).update(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw).digest('hex');
}

let sequence = 0;
const nextId = (prefix) => `${prefix}_${Date.now().toString(36)}${(++sequence).toString(36).padStart(4, '0')}${crypto.randomBytes(3).toString('hex')}`;

/**
 * A plausible event body: the documented part is the type and a `data` object with an `id`.
 * @param {string} type
 * @param {{ phone?: string, text?: string, channelId?: string, id?: string }} [fields]
 */
function sampleEvent(type, { phone = '+34612345678', text = 'Hola, ¿tenéis cita mañana? 👋', channelId = 'ch_emulator_default', id } = {}) {
	const createdAt = new Date().toISOString();
	const conversationId = 'conv_emulator_1';
	let data;
	if (type.startsWith('message.')) {
		const inbound = type === 'message.received';
		data = {
			id: id ?? nextId('msg'),
			direction: inbound ? 'inbound' : 'outbound',
			status: type.split('.')[1].toUpperCase(),
			from: inbound ? phone : undefined,
			to: inbound ? undefined : phone,
			text,
			whatsappChannelId: channelId,
			conversationId,
			contact: { id: 'ct_emulator_1', phone, name: 'Lucía Fernández' },
			createdAt,
		};
	} else if (type.startsWith('conversation.')) {
		data = { id: id ?? nextId('conv'), status: type === 'conversation.opened' ? 'OPEN' : 'CLOSED', whatsappChannelId: channelId, contact: { phone } };
	} else if (type === 'optout.created') {
		data = { id: id ?? nextId('opt'), phone, whatsappChannelId: channelId, reason: 'STOP' };
	} else if (type === 'template.status_updated') {
		data = { id: id ?? 'tpl_welcome', status: 'APPROVED' };
	} else {
		data = { id: id ?? nextId('test'), message: 'Test event from Flowella' };
	}
	return { event: type, createdAt, data: JSON.parse(JSON.stringify(data)) };
}

/**
 * One signed delivery: `raw` is exactly the bytes sent and signed (`body` serialised when no `raw` is given).
 * @param {{ secret: string, type: string, body?: object, raw?: string, deliveryId?: string, nowMs?: number }} options
 * @returns {{ deliveryId: string, type: string, raw: string, headers: Record<string, string>, createdAtMs: number }}
 */
function buildDelivery({ secret, type, body, raw, deliveryId = nextId('dlv'), nowMs = Date.now() }) {
	const text = raw ?? JSON.stringify(body ?? sampleEvent(type));
	return {
		deliveryId,
		type,
		raw: text,
		createdAtMs: nowMs,
		headers: {
			'content-type': 'application/json',
			'user-agent': USER_AGENT,
			'x-flowella-signature': signBody(secret, text),
			'x-flowella-timestamp': String(Math.floor(nowMs / 1000)),
			'x-flowella-event': type,
			'x-flowella-delivery': deliveryId,
		},
	};
}

/**
 * A copy of `delivery` broken the way `mode` says (see TAMPER_MODES).
 * @param {any} delivery
 * @param {string} mode
 * @param {{ secret?: string, nowMs?: number }} [options]
 */
function tamper(delivery, mode, { secret, nowMs = Date.now() } = {}) {
	const copy = { ...delivery, headers: { ...delivery.headers }, mode };
	const seconds = Math.floor(nowMs / 1000);
	switch (mode) {
		case 'forge':
			copy.headers['x-flowella-signature'] = signBody(`forged-${crypto.randomBytes(8).toString('hex')}`, copy.raw);
			break;
		case 'unsigned':
			delete copy.headers['x-flowella-signature'];
			break;
		case 'corrupt': {
			// One character changed after signing, as a proxy rewriting the body would.
			const index = copy.raw.indexOf('"data"');
			copy.raw = `${copy.raw.slice(0, index)}"Data"${copy.raw.slice(index + 6)}`;
			break;
		}
		case 'stale':
			copy.headers['x-flowella-timestamp'] = String(seconds - 10 * 60);
			break;
		case 'future':
			copy.headers['x-flowella-timestamp'] = String(seconds + 10 * 60);
			break;
		case 'noTimestamp':
			delete copy.headers['x-flowella-timestamp'];
			break;
		case 'notJson':
			copy.raw = `not json: ${copy.raw}`;
			// Signed correctly: only the receiver's JSON check can refuse it.
			if (!secret) throw new Error('tamper notJson needs the secret to sign the broken body');
			copy.headers['x-flowella-signature'] = signBody(secret, copy.raw);
			break;
		case 'wrongContentType':
			copy.headers['content-type'] = 'text/plain';
			break;
		default:
			throw new Error(`unknown tamper mode ${mode}; one of ${TAMPER_MODES.join(', ')}`);
	}
	return copy;
}

/** One POST; never throws. */
async function post(url, delivery, { timeoutMs = TIMEOUT_MS } = {}) {
	const started = performance.now();
	try {
		const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.raw, signal: AbortSignal.timeout(timeoutMs) });
		const body = await response.text();
		return { status: response.status, ms: performance.now() - started, body };
	} catch (error) {
		const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
		return { status: 0, ms: performance.now() - started, error: name === 'TimeoutError' ? 'timeout' : message };
	}
}

const ok = (status) => status >= 200 && status < 300;

/**
 * @typedef {{ at: number, status: number, ms: number, body?: string, error?: string }} Attempt
 * @typedef {{ type: string, deliveryId?: string, mode?: string, delivery?: any, attempts: Attempt[],
 *   delivered: boolean, gaveUp?: string, skipped?: string }} DeliveryRecord
 */

class WebhookSender {
	/**
	 * @param {{ url: string, secret: string, events?: string[], scheduleMs?: number[], speedup?: number,
	 *   timeoutMs?: number, retry?: boolean, sleep?: (ms: number) => Promise<void> }} options
	 *   `events`: what the webhook subscribes to ('*' = all); `speedup` compresses the back-off clock
	 *   (60 turns a minute's wait into a second).
	 */
	constructor({ url, secret, events = ['*'], scheduleMs = DEFAULT_SCHEDULE_MS, speedup = 1, timeoutMs = TIMEOUT_MS, retry = true, sleep }) {
		this.url = url;
		this.secret = secret;
		this.events = events;
		this.scheduleMs = scheduleMs;
		this.speedup = speedup;
		this.timeoutMs = timeoutMs;
		this.retry = retry;
		this.sleep = sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms / this.speedup)));
		/** Every delivery with its attempts. */
		this.deliveries = [];
		this.consecutiveFailures = 0;
		this.disabled = false;
	}

	subscribes(type) {
		return type === TEST_EVENT || this.events.includes('*') || this.events.includes(type);
	}

	/**
	 * Builds a signed delivery of `type`: `body` as is, else a sample event (with `data` instead of its own, if given).
	 * @param {string} type
	 * @param {{ data?: object, body?: object, raw?: string, deliveryId?: string, phone?: string, text?: string }} [parts]
	 */
	build(type, { data, body, raw, deliveryId, phone, text } = {}) {
		const sample = sampleEvent(type, { phone, text });
		const event = body ?? (data ? { ...sample, data } : sample);
		return buildDelivery({ secret: this.secret, type, body: event, raw, deliveryId });
	}

	/**
	 * Sends one event as Flowella would; `mode` tampers with it, `delayMs` holds it back that long
	 * (compressed) with a timestamp from when it was made. Resolves once delivered or given up.
	 * @param {string} type
	 * @param {{ mode?: string, delayMs?: number, retry?: boolean, data?: object, body?: object, raw?: string,
	 *   deliveryId?: string, phone?: string, text?: string }} [options]
	 * @returns {Promise<DeliveryRecord>}
	 */
	async send(type, { mode, delayMs = 0, retry = this.retry, ...content } = {}) {
		if (!this.subscribes(type)) {
			/** @type {DeliveryRecord} */
			const skipped = { type, skipped: 'not subscribed', attempts: [], delivered: false };
			this.deliveries.push(skipped);
			return skipped;
		}
		let delivery = this.build(type, { ...content });
		if (delayMs) delivery = { ...delivery, headers: { ...delivery.headers, 'x-flowella-timestamp': String(Math.floor((Date.now() - delayMs) / 1000)) } };
		if (mode) delivery = tamper(delivery, mode, { secret: this.secret });
		if (delayMs) await this.sleep(delayMs);
		return this.deliver(delivery, { retry });
	}

	/**
	 * Sends a delivery again, byte for byte with the same delivery id, and a fresh timestamp (a retry or an attacker's replay).
	 * @returns {Promise<DeliveryRecord>}
	 */
	async replay(record, { freshTimestamp = true, retry = false } = {}) {
		const headers = { ...record.delivery.headers };
		if (freshTimestamp && headers['x-flowella-timestamp']) headers['x-flowella-timestamp'] = String(Math.floor(Date.now() / 1000));
		return this.deliver({ ...record.delivery, headers, mode: 'replay' }, { retry });
	}

	/** Flowella's "Send test" button. */
	sendTest(options) {
		return this.send(TEST_EVENT, options);
	}

	/** @returns {Promise<DeliveryRecord>} */
	async deliver(delivery, { retry = this.retry } = {}) {
		/** @type {DeliveryRecord} */
		const record = { type: delivery.type, deliveryId: delivery.deliveryId, mode: delivery.mode, delivery, attempts: [], delivered: false };
		this.deliveries.push(record);
		for (let attempt = 0; ; attempt += 1) {
			if (this.disabled) {
				record.gaveUp = 'webhook disabled';
				return record;
			}
			const answer = await post(this.url, delivery, { timeoutMs: this.timeoutMs });
			record.attempts.push({ at: Date.now(), ...answer });
			if (ok(answer.status)) {
				record.delivered = true;
				this.consecutiveFailures = 0;
				return record;
			}
			this.consecutiveFailures += 1;
			if (this.consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) this.disabled = true;
			if (!retry || attempt >= this.scheduleMs.length) {
				record.gaveUp = retry ? 'schedule exhausted' : 'no retries';
				return record;
			}
			// A retry is the same delivery (same id and signature) with a fresh timestamp.
			await this.sleep(this.scheduleMs[attempt]);
			if (delivery.headers['x-flowella-timestamp'] && !['stale', 'future'].includes(delivery.mode)) {
				delivery = { ...delivery, headers: { ...delivery.headers, 'x-flowella-timestamp': String(Math.floor(Date.now() / 1000)) } };
			}
		}
	}

	/** Answers by HTTP status: `{ 200: 12, 401: 3 }` over every attempt. */
	statusCounts() {
		const counts = {};
		for (const record of this.deliveries) for (const { status } of record.attempts) counts[status] = (counts[status] ?? 0) + 1;
		return counts;
	}
}

/**
 * Sends one signed event without retries; resolves with the delivery record.
 * @returns {Promise<DeliveryRecord>}
 */
function sendEvent(url, secret, type, options = {}) {
	return new WebhookSender({ url, secret, retry: false }).send(type, options);
}

module.exports = {
	EVENT_TYPES,
	TEST_EVENT,
	DEFAULT_SCHEDULE_MS,
	MAX_CONSECUTIVE_FAILURES,
	PLAYGROUND_WEBHOOK,
	signBody,
	sampleEvent,
	buildDelivery,
	tamper,
	post,
	sendEvent,
	WebhookSender,
};

async function main() {
	const { values } = parseArgs({
		options: {
			url: { type: 'string', default: process.env.FLOWELLA_WEBHOOK_URL ?? `http://localhost:5678/webhook/${PLAYGROUND_WEBHOOK.webhookId}` },
			secret: { type: 'string', default: process.env.FLOWELLA_WEBHOOK_SECRET ?? PLAYGROUND_WEBHOOK.secret },
			events: { type: 'string', default: 'message.received' },
			count: { type: 'string', default: '1' },
			mode: { type: 'string' },
			duplicates: { type: 'boolean', default: false },
			test: { type: 'boolean', default: false },
			phone: { type: 'string', default: '+34612345678' },
			text: { type: 'string' },
		},
	});
	const types = values.test ? [TEST_EVENT] : values.events === 'all' ? EVENT_TYPES : values.events.split(',').map((type) => type.trim());
	const sender = new WebhookSender({ url: values.url, secret: values.secret, retry: false });
	const line = (record) => {
		const answers = record.attempts.map((attempt) => `${attempt.status || attempt.error} ${attempt.body ?? ''}`.trim()).join(' | ');
		process.stdout.write(`${record.mode ?? 'signed'} ${record.type} ${record.deliveryId ?? ''} → ${answers || record.skipped}\n`);
	};
	process.stdout.write(`POST ${values.url}\n`);
	for (let index = 0; index < Number(values.count); index += 1) {
		for (const type of types) {
			const record = await sender.send(type, { mode: values.mode, phone: values.phone, text: values.text });
			line(record);
			if (values.duplicates && record.delivery) line(await sender.replay(record));
		}
	}
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error.stack ?? error}\n`);
		process.exit(1);
	});
}
