'use strict';
// Checks shared by the contact suites: what a ContactRow looks like, and what reached the emulator.
const assert = require('node:assert/strict');

const CONTACTS = '/api/v1/contacts';
const E164 = /^\+[1-9]\d{1,14}$/;

/** One output item is a ContactRow, not an error. */
function assertContactRow(/** @type {any} */ row) {
	assert.equal(typeof row, 'object');
	assert.match(row.id, /^ct_/);
	assert.match(row.phone, E164);
	for (const field of ['name', 'email', 'waId']) assert.ok(row[field] === null || typeof row[field] === 'string', field);
	assert.equal(typeof row.isOptedOut, 'boolean');
	assert.ok(!Number.isNaN(Date.parse(row.createdAt)) && !Number.isNaN(Date.parse(row.updatedAt)));
	assert.equal(row.error, undefined);
}

/** The bodies of every upsert that reached `emulator`, in order. */
function upsertBodies(/** @type {import('../../emulator/server').FlowellaEmulator} */ emulator) {
	return emulator.requestsTo('POST', CONTACTS).map((request) => /** @type {Record<string, unknown>} */ (request.body));
}

/** No phone is sent more than once: asserts that nothing was retried. */
function assertEachPhoneOnce(/** @type {{ body: any }[]} */ requests) {
	const phones = requests.map((request) => request.body.phone);
	assert.equal(new Set(phones).size, phones.length, `a phone was sent twice: ${phones.join(', ')}`);
}

module.exports = { CONTACTS, assertContactRow, upsertBodies, assertEachPhoneOnce };
