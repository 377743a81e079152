import { createHmac, timingSafeEqual } from 'crypto';

/** Flowella's documented replay window: a timestamp further than this from now is refused. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const UNIX_SECONDS = /^\d{1,12}$/;

/** Hex HMAC-SHA256 of the raw body bytes, keyed by the signing secret, as Flowella signs. */
export function computeSignature(secret: string, rawBody: Buffer): string {
	return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** Constant-time comparison of the expected signature with the header's (hex, any case). */
export function signatureMatches(expectedHex: string, provided: string | undefined): boolean {
	// The length and hex shape are no secret: only equal-length digests reach timingSafeEqual.
	if (typeof provided !== 'string' || !HEX_SHA256.test(provided.trim())) return false;
	return timingSafeEqual(Buffer.from(expectedHex, 'hex'), Buffer.from(provided.trim(), 'hex'));
}

export type TimestampVerdict = 'ok' | 'missing' | 'malformed' | 'outOfWindow';

/** Checks X-Flowella-Timestamp (Unix seconds) against now; both edges of the window are inside it. */
export function checkTimestamp(header: string | undefined, nowMs: number): TimestampVerdict {
	if (header === undefined || header.trim() === '') return 'missing';
	const value = header.trim();
	if (!UNIX_SECONDS.test(value)) return 'malformed';
	const skew = Math.abs(Math.floor(nowMs / 1000) - Number(value));
	return skew <= MAX_CLOCK_SKEW_SECONDS ? 'ok' : 'outOfWindow';
}

/** Why a signing secret cannot be right, or undefined; nothing remote can check it. */
export function secretShapeProblem(secret: unknown): string | undefined {
	if (typeof secret !== 'string' || secret.trim() === '') return 'The signing secret is empty.';
	const value = secret.trim();
	if (/\s/.test(value)) return 'The signing secret contains spaces or line breaks: copy it again from Flowella.';
	if (/^flo_/i.test(value)) {
		return 'This looks like a Flowella API key (flo_…), not a webhook signing secret: copy the secret shown when the webhook was created in Settings → Webhooks.';
	}
	if (value.length < 16) return `The signing secret is only ${value.length} characters long: copy all of it from Flowella.`;
	return undefined;
}

/** The secret as pasted, without surrounding whitespace a copy may add. */
export function normalizeSecret(secret: unknown): string {
	return typeof secret === 'string' ? secret.trim() : '';
}
