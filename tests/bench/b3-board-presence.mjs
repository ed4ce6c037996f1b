// B3: 150 clients, each 1 edit/s plus presence (cursor, every 10th move the focused note) at 10 Hz — as B1.
// Target p99 ≤ 50 ms (the reference is expected to collapse).
import { compare, report } from './lib/propagation.mjs';

const clients = Number(process.env.BENCH_CLIENTS ?? 150);
const measureMs = Number(process.env.BENCH_MEASURE_MS ?? 15_000);
const out = await compare({ clients, presenceHz: 10, warmupMs: 5000, measureMs }, { referenceMeasureMs: Math.min(measureMs, 10_000) });
report('B3', `${clients} clients × 1 edit/s + presence 10 Hz`, out, { p99Target: 50 });
process.exit(0);
