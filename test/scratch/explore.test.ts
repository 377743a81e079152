import { simulate } from '../support/pacingSimulation';
import type { SimulationCase } from '../support/pacingSimulation';

const fmt = (r: Awaited<ReturnType<typeof simulate>>) =>
	`elapsed ${(r.elapsedMs / 1000).toFixed(1)} s ideal ${(r.idealMs / 1000).toFixed(1)} s fraction ${r.fractionOfLimit.toFixed(3)} extra ${(r.extra * 100).toFixed(1)}% failed ${r.failed}`;

const cases: Array<[string, SimulationCase]> = [];
const which = process.env.EXPLORE ?? 'rise,four,jitter';
if (which.includes('rise')) for (const burst of [1, 5]) cases.push([`rise 5→50 burst ${burst}`, { items: 3000, concurrency: 5, ratePerSec: 5, burst, retryAfter: 'seconds', latencyMs: 10, limitChange: { afterMs: 10_000, ratePerSec: 50 } }]);
if (which.includes('four')) for (const [rate, burst] of [[100, 20], [20, 20], [20, 1], [50, 5]]) cases.push([`four shared ${rate}/s burst ${burst}`, { items: 4000, concurrency: 5, ratePerSec: rate, burst, retryAfter: 'seconds', latencyMs: 10, executions: [0, 1, 2, 3].map(() => ({ items: 1000 })) }]);
const J = (process.env.J ?? '5:150,20:10').split(',').map((x) => x.split(':').map(Number));
const D = (process.env.D ?? '0:0,5:2,10:2,20:5,40:10').split(',').map((x) => x.split(':').map(Number));
if (which.includes('jitter')) for (const [rate, latency] of J) for (const [d, slack] of D) cases.push([`jitter ${rate}/s burst 1 ${latency}ms startDelay ${d} slack ${slack}`, { items: Number(process.env.ITEMS ?? 300), concurrency: 5, ratePerSec: rate, burst: 1, retryAfter: 'seconds', latencyMs: latency, startDelayMs: d, timerSlackMs: slack }]);

it('explores', async () => {
	for (const [name, setup] of cases) {
		const r = await simulate(setup);
		const per = r.executions.length > 1 ? ' per: ' + r.executions.map((e) => `${((e.lastSuccessAt - e.firstRequestAt) / 1000).toFixed(0)}s`).join(',') : '';
		let reached = '';
		if (setup.limitChange) {
			const change = setup.limitChange;
			const t = r.successTimes;
			for (let at = change.afterMs; at < r.elapsedMs; at += 250) {
				const inWindow = t.filter((x) => x >= at && x < at + 2000).length / 2;
				if (inWindow >= 0.9 * change.ratePerSec) { reached = ` reached 0.9 of new limit ${((at - change.afterMs) / 1000).toFixed(1)} s after the change`; break; }
			}
		}
		process.stdout.write(`${name}: ${fmt(r)}${per}${reached}\n`);
		if (process.env.TIMELINE) {
			const perSecond: number[] = [];
			for (const x of r.successTimes) perSecond[Math.floor(x / 1000)] = (perSecond[Math.floor(x / 1000)] ?? 0) + 1;
			process.stdout.write(`  per second: ${Array.from(perSecond.slice(0, 60), (v) => v ?? 0).join(' ')}\n`);
		}
	}
}, 600_000);
