/**
 * How long a signing secret read from n8n's credentials is reused. Reading it costs n8n a
 * database query, a decryption and, in n8n 2.x, a fresh expression isolate: per request, that
 * was most of the trigger's own cost under load. A request the cached secret refuses reads it
 * again at once, so a changed secret works from the first request; the previous one is still
 * accepted until its entry is this old.
 */
export const SECRET_CACHE_MS = 5_000;

interface Entry {
	secret: string;
	loadedMs: number;
}

/** Signing secrets by credential id, for the life of the n8n process; loads in flight are shared. */
export class SecretCache {
	private readonly entries = new Map<string, Entry>();
	private readonly loading = new Map<string, Promise<string>>();

	constructor(private readonly maxAgeMs = SECRET_CACHE_MS) {}

	/** The secret, from the cache when younger than `maxAgeMs` (and `fresh` is false), else loaded. */
	async get(credentialId: string, load: () => Promise<string>, nowMs: number, fresh = false): Promise<{ secret: string; cached: boolean }> {
		const entry = this.entries.get(credentialId);
		if (!fresh && entry && nowMs - entry.loadedMs < this.maxAgeMs) return { secret: entry.secret, cached: true };
		let pending = this.loading.get(credentialId);
		if (!pending) {
			pending = load().then(
				(secret) => {
					this.entries.set(credentialId, { secret, loadedMs: nowMs });
					this.loading.delete(credentialId);
					return secret;
				},
				(error: unknown) => {
					this.entries.delete(credentialId);
					this.loading.delete(credentialId);
					throw error;
				},
			);
			this.loading.set(credentialId, pending);
		}
		return { secret: await pending, cached: false };
	}
}
