const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export type BaseUrlCheck = { ok: true; baseUrl: string } | { ok: false; reason: string };

/**
 * The credential's base URL without trailing slashes. Anything but https is refused (loopback
 * aside), so the API key is never sent in clear text by mistake.
 */
export function checkBaseUrl(raw: unknown): BaseUrlCheck {
	const text = typeof raw === 'string' ? raw.trim().replace(/\/+$/, '') : '';
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return { ok: false, reason: `The Base URL "${text}" in the Flowella credential is not a valid URL.` };
	}
	if (url.protocol === 'https:') return { ok: true, baseUrl: text };
	if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return { ok: true, baseUrl: text };
	return {
		ok: false,
		reason: `The Base URL "${text}" in the Flowella credential must start with https:// (plain http:// is allowed only for localhost, 127.0.0.1 and [::1]), so the API key is never sent unencrypted.`,
	};
}
