const REDACTED = '[redacted]';
// Shorter keys (a mistyped one) are replaced only as typed: a short start or end matches too much.
const MIN_KEY_FOR_FORMS = 16;

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Finds the API key in a text from Flowella or a lower layer, in the spellings a server or proxy
 * echoes it: as sent, in any letter case, without its `flo_` prefix, or masked as its first 12
 * and last 4 characters with up to 8 characters between them (`flo_live_sec…33ee`).
 */
export function keyPattern(apiKey: string): RegExp | undefined {
	if (!apiKey) return undefined;
	const forms = [escapeRegExp(apiKey)];
	if (apiKey.length >= MIN_KEY_FOR_FORMS) {
		forms.push(`${escapeRegExp(apiKey.slice(0, 12))}[^\\s"']{0,8}${escapeRegExp(apiKey.slice(-4))}`);
		if (apiKey.startsWith('flo_')) forms.push(escapeRegExp(apiKey.slice(4)));
	}
	return new RegExp(forms.join('|'), 'gi');
}

/** The text with every spelling of the key replaced by "[redacted]" (safe inside a JSON string: no quote or backslash). */
export function redact(text: string, pattern: RegExp | undefined): string {
	return pattern ? text.replace(pattern, REDACTED) : text;
}
