import { checkBaseUrl } from '../../../../nodes/Flowella/transport/baseUrl';

describe('checkBaseUrl', () => {
	it.each([
		['https://app.flowella.io', 'https://app.flowella.io'],
		['https://app.flowella.io/', 'https://app.flowella.io'],
		['https://app.flowella.io///', 'https://app.flowella.io'],
		[' https://eu.flowella.io/base ', 'https://eu.flowella.io/base'],
		['http://localhost:4010', 'http://localhost:4010'],
		['http://127.0.0.1:4010/', 'http://127.0.0.1:4010'],
		['http://[::1]:4010', 'http://[::1]:4010'],
	])('accepts %j as %j', (raw, baseUrl) => {
		expect(checkBaseUrl(raw)).toEqual({ ok: true, baseUrl });
	});

	it.each([
		['http://app.flowella.io', 'must start with https://'],
		['http://192.168.1.10:4010', 'must start with https://'],
		['http://localhost.evil.com', 'must start with https://'],
		['ftp://app.flowella.io', 'must start with https://'],
		['app.flowella.io', 'not a valid URL'],
		['', 'not a valid URL'],
		[undefined, 'not a valid URL'],
	])('refuses %j', (raw, reasonPart) => {
		const result = checkBaseUrl(raw);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.reason).toContain(reasonPart);
	});
});
