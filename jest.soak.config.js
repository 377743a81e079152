'use strict';
/** The soak (npm run test:soak): 50,000 items with random faults; not part of `npm test`. */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
	...base,
	roots: ['<rootDir>/test/soak'],
	testMatch: ['**/*.soak.ts'],
	testTimeout: 15 * 60_000,
};
