// B1: 300 clients on one board, each 1 edit/s — propagation p50/p99 (sender to every receiver), server CPU and
// RSS, against Verstas and the y-websocket@2.1.0 reference server in the same run.
// Targets (2-core machine): p99 ≤ 25 ms, server CPU ≤ 1.3× the reference's.
import { compare, report } from './lib/propagation.mjs';

const clients = Number(process.env.BENCH_CLIENTS ?? 300);
const measureMs = Number(process.env.BENCH_MEASURE_MS ?? 15_000);
const out = await compare({ clients, warmupMs: 5000, measureMs });
report('B1', `${clients} clients × 1 edit/s`, out, { p99Target: 25, cpuRatioTarget: 1.3 });
process.exit(0);
