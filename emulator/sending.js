'use strict';
// The emulator's sending side: POST /api/v1/messages, /api/v1/templates/send and /api/v1/opt-outs
// as Flowella's API documents them, plus what a test needs to prove "never twice": every
// accepted send is logged in `emulator.handled`, and duplicates() finds a recipient messaged twice.
// Pure logic on the emulator's state (channels, templates, contacts, conversations, messages, jobs,
// opt-outs); server.js owns HTTP and timers call back into deliverJobMessages().

const E164 = /^\+[1-9]\d{1,14}$/;
// RFC 3339 date-time, the OpenAPI `format: date-time`: a zone (Z or an offset) is required.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
const MESSAGE_FIELDS = new Set(['to', 'text', 'whatsappChannelId']);
const JOB_FIELDS = new Set(['templateId', 'whatsappChannelId', 'recipients', 'templateWabaId', 'headerMedia', 'scheduledAt', 'throttlePerHour']);
const RECIPIENT_FIELDS = new Set(['phone', 'contactId', 'bodyParameters', 'buttonParameters']);
const OPT_OUT_FIELDS = new Set(['action', 'whatsappChannelId', 'phone', 'reason']);
const MAX_RECIPIENTS = 50_000;
const DEFAULT_THROTTLE_PER_HOUR = 1000;
const META_WABA_ID = 'waba_emulator';

/** Knobs of the sending side; reset() goes back to what the emulator was created with. */
const SENDING_DEFAULTS = Object.freeze({ billing: true, freeFormWindowHours: null, jobSpeedup: 3600 });

const fail = (status, code, message) => ({ status, body: { error: { code, message } } });
const invalid = (message) => fail(400, 'VALIDATION_ERROR', message);
const ok = (body) => ({ status: 200, body });

/** @returns {Map<string, { id: string, name: string, isDefault: boolean, metaConnected: boolean }>} */
function defaultChannels() {
	return new Map(
		[
			{ id: 'ch_emulator_default', name: 'Emulator main number', isDefault: true, metaConnected: true },
			{ id: 'ch_emulator_second', name: 'Emulator second number', isDefault: false, metaConnected: true },
			{ id: 'ch_emulator_disconnected', name: 'Emulator number without Meta', isDefault: false, metaConnected: false },
		].map((channel) => [channel.id, channel]),
	);
}

/** @returns {Map<string, { id: string, name: string, bodyParameterCount: number, buttonParameterCount?: number, wabaId?: string }>} */
function defaultTemplates() {
	return new Map(
		[
			{ id: 'tpl_welcome', name: 'welcome', bodyParameterCount: 1 },
			{ id: 'tpl_order_update', name: 'order_update', bodyParameterCount: 2 },
			{ id: 'tpl_no_params', name: 'no_params', bodyParameterCount: 0 },
			// A Meta template id: numeric, so the request must say which WhatsApp Business Account it lives in.
			{ id: '1234567890123456', name: 'meta_welcome', bodyParameterCount: 1, wabaId: META_WABA_ID },
		].map((template) => [template.id, template]),
	);
}

/** Counters and indexes that make a 50,000-recipient job linear; rebuilt by reset(). */
function freshSendingIndex() {
	return {
		ids: { msg: 1, job: 1, oo: 1 },
		conversationList: /** @type {any[] | undefined} */ (undefined),
		indexedConversations: 0,
		openConversation: new Map(),
		lastInboundAt: new Map(),
	};
}

const nextId = (emulator, prefix) => `${prefix}_${String(emulator.sendingIndex.ids[prefix]++).padStart(6, '0')}`;
const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** "E.164 or digits; normalized server-side": spaces go, a missing + is added, then it must be E.164. */
function normalizePhone(value, field) {
	if (typeof value !== 'string') return { problem: `${field}: Required string` };
	if (value.length < 3 || value.length > 32) return { problem: `${field}: must be 3 to 32 characters` };
	const compact = value.replace(/\s+/g, '');
	const phone = compact.startsWith('+') ? compact : `+${compact}`;
	if (!E164.test(phone)) return { problem: `${field}: must be an E.164 number or its digits` };
	return { phone };
}

/** A body that did not parse reaches the handler as its text. */
function notAnObject(body) {
	if (typeof body === 'string') return 'Malformed JSON body';
	return isObject(body) ? undefined : 'Body must be a JSON object';
}

function unknownKey(body, allowed, prefix = '') {
	const key = Object.keys(body).find((name) => !allowed.has(name));
	return key === undefined ? undefined : `Unrecognized key: "${prefix}${key}"`;
}

function optionalString(body, field, max) {
	const value = body[field];
	if (value === undefined) return undefined;
	if (typeof value !== 'string') return `${field}: Expected string`;
	if (value.length < 1 || value.length > max) return `${field}: must be 1 to ${max} characters`;
	return undefined;
}

const channelNotFound = () => fail(404, 'NOT_FOUND', 'WhatsApp channel not found');
const notConnected = () => fail(403, 'META_NOT_CONNECTED', 'This WhatsApp channel is not connected to Meta');
const paymentRequired = () => fail(402, 'PAYMENT_REQUIRED', 'Your subscription does not cover this action');
const optedOut = () => fail(403, 'CONTACT_OPTED_OUT', 'The contact has opted out of WhatsApp messages on this channel');
const outsideWindow = () =>
	fail(400, 'META_REJECTED', '(#131047) Re-engagement message: more than 24 hours have passed since the recipient last replied to the sender number');

function defaultChannel(emulator) {
	return [...emulator.channels.values()].find((channel) => channel.isDefault);
}

const optOutKey = (channelId, phone) => `${channelId} ${phone}`;

/** The contact with this phone, created as POST /contacts would (with no other field) when missing. */
function contactFor(emulator, phone) {
	// upsert() answers a copy: the stored row is what must change.
	if (!emulator.contacts.has(phone)) emulator.upsert({ phone });
	return emulator.contacts.get(phone);
}

/** The OPEN conversation of a contact on a channel, opened (in the shape the reads list) when there is none. */
function conversationFor(emulator, contact, channelId, at) {
	const index = emulator.sendingIndex;
	if (index.conversationList !== emulator.conversations) {
		index.conversationList = emulator.conversations;
		index.indexedConversations = 0;
		index.openConversation.clear();
	}
	// seed() and tests append to emulator.conversations directly: index what was added since.
	for (; index.indexedConversations < emulator.conversations.length; index.indexedConversations++) {
		const row = emulator.conversations[index.indexedConversations];
		if (row.status === 'OPEN') index.openConversation.set(`${row.contact.id} ${row.whatsappChannelId}`, row);
	}
	const key = `${contact.id} ${channelId}`;
	const existing = index.openConversation.get(key);
	if (existing && existing.status === 'OPEN') {
		existing.lastMessageAt = at;
		return existing;
	}
	const row = {
		id: `cv_${String(emulator.conversations.length + 1).padStart(6, '0')}`,
		status: 'OPEN',
		createdAt: at,
		lastMessageAt: at,
		whatsappChannelId: channelId,
		contact: { id: contact.id, phone: contact.phone, name: contact.name, waId: contact.waId },
	};
	emulator.conversations.push(row);
	index.openConversation.set(key, row);
	index.indexedConversations = emulator.conversations.length;
	return row;
}

function metaMessageId(messageId) {
	return `wamid.${Buffer.from(`emulator:${messageId}`).toString('base64url')}`;
}

/**
 * Stores one outbound message (from a send or a job) with its contact and conversation.
 * @param {any} emulator
 * @param {{ to: string, channelId: string, text?: string | null, templateId?: string, bodyParameters?: string[],
 *   jobId: string | null, status: string }} message
 */
function storeOutbound(emulator, { to, channelId, text, templateId, bodyParameters, jobId, status }) {
	const createdAt = new Date().toISOString();
	const contact = contactFor(emulator, to);
	const conversation = conversationFor(emulator, contact, channelId, createdAt);
	const id = nextId(emulator, 'msg');
	const message = {
		id,
		direction: 'outbound',
		status,
		createdAt,
		to,
		text,
		whatsappChannelId: channelId,
		contactId: contact.id,
		conversationId: conversation.id,
		metaMessageId: status === 'FAILED' ? null : metaMessageId(id),
		jobId,
	};
	if (jobId !== null) Object.assign(message, { templateId, bodyParameters });
	emulator.messages.push(message);
	return message;
}

/** POST /api/v1/messages */
function sendText(emulator, record) {
	const body = record.body;
	const problem =
		notAnObject(body) ??
		unknownKey(body, MESSAGE_FIELDS) ??
		normalizePhone(body.to, 'to').problem ??
		(typeof body.text !== 'string' ? 'text: Required string' : undefined) ??
		(body.text.length < 1 || body.text.length > 4096 ? 'text: must be 1 to 4096 characters' : undefined) ??
		optionalString(body, 'whatsappChannelId', 128);
	if (problem) return invalid(problem);
	const to = /** @type {string} */ (normalizePhone(body.to, 'to').phone);
	const channel = body.whatsappChannelId === undefined ? defaultChannel(emulator) : emulator.channels.get(body.whatsappChannelId);
	if (!channel) return channelNotFound();
	if (!channel.metaConnected) return notConnected();
	if (!emulator.billing) return paymentRequired();
	if (emulator.optOuts.has(optOutKey(channel.id, to))) return optedOut();
	if (emulator.freeFormWindowHours !== null && !withinWindow(emulator, channel.id, to)) return outsideWindow();

	const message = storeOutbound(emulator, { to, channelId: channel.id, text: body.text, jobId: null, status: 'SENT' });
	emulator.handled.push({ kind: 'message', seq: record.seq, key: `${to} ${body.text}`, id: message.id });
	return ok({ id: message.id, conversationId: message.conversationId, contactId: message.contactId, metaMessageId: message.metaMessageId });
}

function withinWindow(emulator, channelId, phone) {
	const last = emulator.sendingIndex.lastInboundAt.get(optOutKey(channelId, phone));
	return last !== undefined && Date.now() - last <= emulator.freeFormWindowHours * 3_600_000;
}

function validateRecipient(recipient, index) {
	const at = `recipients[${index}]`;
	if (!isObject(recipient)) return { problem: `${at}: Expected object` };
	const problem = unknownKey(recipient, RECIPIENT_FIELDS, `${at}.`);
	if (problem) return { problem };
	const { phone, problem: phoneProblem } = normalizePhone(recipient.phone, `${at}.phone`);
	if (phoneProblem) return { problem: phoneProblem };
	const { contactId, bodyParameters = [], buttonParameters = [] } = recipient;
	if (contactId !== undefined && (typeof contactId !== 'string' || contactId.length < 1)) return { problem: `${at}.contactId: Expected string` };
	if (!Array.isArray(bodyParameters) || bodyParameters.some((value) => typeof value !== 'string')) {
		return { problem: `${at}.bodyParameters: Expected an array of strings` };
	}
	if (!Array.isArray(buttonParameters) || !buttonParameters.every(isObject)) {
		return { problem: `${at}.buttonParameters: Expected an array of objects` };
	}
	return { recipient: { phone, contactId: contactId ?? null, bodyParameters, buttonParameters } };
}

function validateJobBody(body) {
	const problem =
		notAnObject(body) ??
		unknownKey(body, JOB_FIELDS) ??
		(typeof body.templateId !== 'string' ? 'templateId: Required string' : undefined) ??
		optionalString(body, 'templateId', 128) ??
		(typeof body.whatsappChannelId !== 'string' ? 'whatsappChannelId: Required string' : undefined) ??
		optionalString(body, 'whatsappChannelId', 128) ??
		optionalString(body, 'templateWabaId', 128) ??
		(body.headerMedia !== undefined && !isObject(body.headerMedia) ? 'headerMedia: Expected object' : undefined) ??
		(body.scheduledAt !== undefined && body.scheduledAt !== null && !(typeof body.scheduledAt === 'string' && DATE_TIME.test(body.scheduledAt) && !Number.isNaN(Date.parse(body.scheduledAt)))
			? 'scheduledAt: must be an ISO 8601 date-time with a time zone, or null'
			: undefined) ??
		(body.throttlePerHour !== undefined && !(Number.isInteger(body.throttlePerHour) && body.throttlePerHour >= 1 && body.throttlePerHour <= 100_000)
			? 'throttlePerHour: must be an integer from 1 to 100000'
			: undefined) ??
		(!Array.isArray(body.recipients) ? 'recipients: Required array' : undefined) ??
		(body.recipients.length < 1 || body.recipients.length > MAX_RECIPIENTS ? `recipients: must hold 1 to ${MAX_RECIPIENTS} recipients` : undefined) ??
		// A numeric template id is Meta's: Flowella needs the WABA it belongs to.
		(/^\d+$/.test(body.templateId) && body.templateWabaId === undefined ? 'templateWabaId: Required when templateId is a Meta template id' : undefined);
	if (problem) return { problem };
	const recipients = [];
	for (let index = 0; index < body.recipients.length; index++) {
		const { recipient, problem: recipientProblem } = validateRecipient(body.recipients[index], index);
		if (recipientProblem) return { problem: recipientProblem };
		recipients.push(recipient);
	}
	return { recipients };
}

function parameterCountProblem(template, recipients) {
	for (let index = 0; index < recipients.length; index++) {
		const { bodyParameters, buttonParameters } = recipients[index];
		if (bodyParameters.length !== template.bodyParameterCount) {
			return `recipients[${index}].bodyParameters: template ${template.id} takes ${template.bodyParameterCount} body parameter(s), got ${bodyParameters.length}`;
		}
		if (template.buttonParameterCount !== undefined && buttonParameters.length !== template.buttonParameterCount) {
			return `recipients[${index}].buttonParameters: template ${template.id} takes ${template.buttonParameterCount} button parameter(s), got ${buttonParameters.length}`;
		}
	}
	return undefined;
}

/** POST /api/v1/templates/send: stores a PENDING job; the caller starts its clock. */
function sendTemplate(emulator, record) {
	const body = record.body;
	const { recipients, problem } = validateJobBody(body);
	if (problem) return invalid(problem);
	const template = emulator.templates.get(body.templateId);
	if (!template) return fail(404, 'NOT_FOUND', `Template not found: ${body.templateId}`);
	const channel = emulator.channels.get(body.whatsappChannelId);
	if (!channel) return channelNotFound();
	if (template.wabaId !== undefined && body.templateWabaId !== template.wabaId) {
		return fail(404, 'NOT_FOUND', `Template ${body.templateId} not found in WhatsApp Business Account ${body.templateWabaId}`);
	}
	const countProblem = parameterCountProblem(template, recipients);
	if (countProblem) return invalid(countProblem);
	if (!channel.metaConnected) return notConnected();
	if (!emulator.billing) return paymentRequired();

	const createdAt = new Date().toISOString();
	const job = {
		id: nextId(emulator, 'job'),
		status: 'PENDING',
		templateId: template.id,
		whatsappChannelId: channel.id,
		templateWabaId: body.templateWabaId ?? null,
		headerMedia: body.headerMedia ?? null,
		scheduledAt: body.scheduledAt ?? null,
		scheduledFor: body.scheduledAt ? new Date(body.scheduledAt).toISOString() : createdAt,
		throttlePerHour: body.throttlePerHour ?? DEFAULT_THROTTLE_PER_HOUR,
		createdAt,
		completedAt: null,
		seq: record.seq,
		recipients,
		/** How many recipients have become messages so far. */
		sent: 0,
	};
	emulator.jobs.push(job);
	emulator.handled.push({ kind: 'job', seq: record.seq, key: job.id, id: job.id });
	return ok({ id: job.id, status: job.status, templateId: job.templateId, scheduledFor: job.scheduledFor });
}

/**
 * Turns a job's recipients up to `count` into messages: FAILED for one opted out on the job's
 * channel (or when the channel lost Meta meanwhile), SENT otherwise. COMPLETED after the last.
 */
function deliverJobMessages(emulator, job, count) {
	const until = Math.min(count, job.recipients.length);
	if (job.sent < until && job.status === 'PENDING') job.status = 'PROCESSING';
	for (; job.sent < until; job.sent++) {
		const { phone, bodyParameters } = job.recipients[job.sent];
		const channel = emulator.channels.get(job.whatsappChannelId);
		const blocked = !channel?.metaConnected || emulator.optOuts.has(optOutKey(job.whatsappChannelId, phone));
		storeOutbound(emulator, {
			to: phone,
			channelId: job.whatsappChannelId,
			text: null,
			templateId: job.templateId,
			bodyParameters,
			jobId: job.id,
			status: blocked ? 'FAILED' : 'SENT',
		});
	}
	if (job.sent >= job.recipients.length && job.status !== 'COMPLETED') {
		job.status = 'COMPLETED';
		job.completedAt = new Date().toISOString();
	}
}

/**
 * Paces jobs like Flowella: a job starts at its scheduledFor and creates its messages at
 * throttlePerHour, on a clock `emulator.jobSpeedup` times faster than real time (3600: an hour is
 * a second). Recipient i is due at start + i hours/throttle; a late timer catches up, so the rate holds.
 */
class JobClock {
	constructor(emulator) {
		this.emulator = emulator;
		/** @type {Map<string, NodeJS.Timeout>} */
		this.timers = new Map();
	}

	start(job) {
		const speedup = this.emulator.jobSpeedup;
		const now = Date.now();
		const startsAt = now + Math.max(0, Date.parse(job.scheduledFor) - now) / speedup;
		const intervalMs = 3_600_000 / job.throttlePerHour / speedup;
		this.arm(job, startsAt, intervalMs, startsAt - now);
	}

	arm(job, startsAt, intervalMs, delayMs) {
		const timer = setTimeout(() => {
			this.timers.delete(job.id);
			const due = Math.floor((Date.now() - startsAt) / intervalMs) + 1;
			if (due > 0) deliverJobMessages(this.emulator, job, due);
			if (job.status !== 'COMPLETED') this.arm(job, startsAt, intervalMs, startsAt + job.sent * intervalMs - Date.now());
		}, Math.max(0, delayMs));
		// A pending job never keeps a test process or the CLI alive.
		timer.unref();
		this.timers.set(job.id, timer);
	}

	/** Finishes every job now, scheduled ones included. */
	settle() {
		this.clear();
		for (const job of this.emulator.jobs) deliverJobMessages(this.emulator, job, job.recipients.length);
	}

	clear() {
		for (const timer of this.timers.values()) clearTimeout(timer);
		this.timers.clear();
	}
}

/** POST /api/v1/opt-outs: idempotent, one record per channel and phone. */
function setOptOut(emulator, record) {
	const body = record.body;
	const problem =
		notAnObject(body) ??
		unknownKey(body, OPT_OUT_FIELDS) ??
		(body.action !== 'set' ? 'action: must be "set"' : undefined) ??
		(typeof body.whatsappChannelId !== 'string' ? 'whatsappChannelId: Required string' : undefined) ??
		optionalString(body, 'whatsappChannelId', 128) ??
		normalizePhone(body.phone, 'phone').problem ??
		(body.reason !== undefined && body.reason !== null && (typeof body.reason !== 'string' || body.reason.length > 500)
			? 'reason: must be a string of at most 500 characters'
			: undefined);
	if (problem) return invalid(problem);
	const phone = /** @type {string} */ (normalizePhone(body.phone, 'phone').phone);
	const channel = emulator.channels.get(body.whatsappChannelId);
	if (!channel) return channelNotFound();

	const contact = contactFor(emulator, phone);
	contact.isOptedOut = true;
	const key = optOutKey(channel.id, phone);
	let optOut = emulator.optOuts.get(key);
	if (!optOut) {
		optOut = { id: nextId(emulator, 'oo'), phone, whatsappChannelId: channel.id, reason: body.reason ?? null, createdAt: new Date().toISOString() };
		emulator.optOuts.set(key, optOut);
	}
	emulator.handled.push({ kind: 'optOut', seq: record.seq, key, id: optOut.id });
	return ok({ active: true, optOutId: optOut.id, revokedAt: null });
}

/**
 * A message from the contact (what opens WhatsApp's 24-hour window), stored as direction
 * 'inbound'. `at` (ISO) defaults to now. Returns the message, or { problem } for a bad phone or channel.
 * @param {{ phone?: unknown, text?: unknown, at?: unknown, whatsappChannelId?: unknown }} input
 */
function recordInbound(emulator, input) {
	const { phone, problem } = normalizePhone(input.phone, 'phone');
	if (problem) return { problem };
	const channel = input.whatsappChannelId === undefined ? defaultChannel(emulator) : emulator.channels.get(String(input.whatsappChannelId));
	if (!channel) return { problem: 'whatsappChannelId: WhatsApp channel not found' };
	const time = input.at === undefined ? Date.now() : Date.parse(String(input.at));
	if (Number.isNaN(time)) return { problem: 'at: must be an ISO 8601 date-time' };
	const createdAt = new Date(time).toISOString();
	const contact = contactFor(emulator, /** @type {string} */ (phone));
	const conversation = conversationFor(emulator, contact, channel.id, createdAt);
	const id = nextId(emulator, 'msg');
	const message = {
		id,
		direction: 'inbound',
		status: 'RECEIVED',
		createdAt,
		from: phone,
		to: null,
		text: typeof input.text === 'string' ? input.text : 'Hi',
		whatsappChannelId: channel.id,
		contactId: contact.id,
		conversationId: conversation.id,
		metaMessageId: metaMessageId(id),
		jobId: null,
	};
	emulator.messages.push(message);
	const key = optOutKey(channel.id, /** @type {string} */ (phone));
	emulator.sendingIndex.lastInboundAt.set(key, Math.max(time, emulator.sendingIndex.lastInboundAt.get(key) ?? -Infinity));
	return { message };
}

/**
 * Recipients who got the same message more than once: the same text, or the same template with
 * the same body parameters, on any channel and whatever the status (a FAILED send still reached
 * Flowella twice). Recipients of jobs not yet expanded count too, so a job created twice shows
 * at once, before its clock runs.
 */
function findDuplicates(emulator) {
	const counts = new Map();
	const add = (phone, text, templateId, bodyParameters) => {
		const key = text !== null ? `${phone}\ntext\n${text}` : `${phone}\ntemplate\n${templateId}\n${JSON.stringify(bodyParameters)}`;
		const entry = counts.get(key);
		if (entry) entry.count += 1;
		else counts.set(key, text !== null ? { phone, text, count: 1 } : { phone, templateId, bodyParameters, count: 1 });
	};
	for (const message of emulator.messages) {
		if (message.direction === 'outbound' && typeof message.to === 'string') add(message.to, message.text, message.templateId, message.bodyParameters);
	}
	for (const job of emulator.jobs) {
		for (let index = job.sent; index < job.recipients.length; index++) {
			add(job.recipients[index].phone, null, job.templateId, job.recipients[index].bodyParameters);
		}
	}
	return [...counts.values()].filter((entry) => entry.count > 1);
}

module.exports = {
	SENDING_DEFAULTS,
	defaultChannels,
	defaultTemplates,
	freshSendingIndex,
	normalizePhone,
	sendText,
	sendTemplate,
	JobClock,
	setOptOut,
	recordInbound,
	findDuplicates,
};
