import { simulate } from '../support/pacingSimulation';
it('one', async () => {
	const c = JSON.parse(process.env.CASE ?? '{}');
	const r = await simulate({ items: 300, concurrency: 5, ratePerSec: 5, burst: 5, retryAfter: 'seconds', latencyMs: 10, ...c });
	process.stdout.write(`elapsed ${r.elapsedMs} extra ${r.rateLimited}\n`);
}, 600000);
