// B2: 500 clients on one board, each 1 edit/s — as B1. Target p99 ≤ 100 ms. The reference server is expected
// to fall seconds behind here: its full-client run is capped at 10 s.
import { compare, report } from './lib/propagation.mjs';

const clients = Number(process.env.BENCH_CLIENTS ?? 500);
const measureMs = Number(process.env.BENCH_MEASURE_MS ?? 15_000);
const out = await compare({ clients, warmupMs: 5000, measureMs }, { referenceMeasureMs: Math.min(measureMs, 10_000) });
report('B2', `${clients} clients × 1 edit/s`, out, { p99Target: 100 });
process.exit(0);
