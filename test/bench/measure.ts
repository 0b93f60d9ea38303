// Timing helpers shared by the benchmarks: wall time of processes and in-process calls, as medians.
import { spawnSync } from 'node:child_process';

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};
export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};

/** Median wall time (ms) of running a command `runs` times (after one warm-up). */
export const timeProcess = (cmd: string, args: string[], runs: number, env: NodeJS.ProcessEnv = process.env, input?: string): number => {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t = performance.now();
    const r = spawnSync(cmd, args, { env, input, stdio: input === undefined ? ['ignore', 'ignore', 'ignore'] : ['pipe', 'ignore', 'ignore'] });
    const ms = performance.now() - t;
    if (r.error) throw r.error;
    if (i > 0) times.push(ms);
  }
  return median(times);
};

/** Interleave several commands so machine noise hits them alike; returns medians by name. */
export const timeInterleaved = (cases: Array<{ name: string; cmd: string; args: string[]; env?: NodeJS.ProcessEnv }>, runs: number): Record<string, number> => {
  const times: Record<string, number[]> = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (let i = 0; i <= runs; i++) {
    for (const c of cases) {
      const t = performance.now();
      const r = spawnSync(c.cmd, c.args, { env: c.env ?? process.env, stdio: 'ignore' });
      const ms = performance.now() - t;
      if (r.error) throw r.error;
      if (i > 0) times[c.name]!.push(ms);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
};

export const table = (rows: Array<Record<string, string | number>>): string => {
  const cols = Object.keys(rows[0] ?? {});
  const fmt = (v: string | number) => (typeof v === 'number' ? v.toFixed(v < 10 ? 3 : 1) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(fmt(r[c]!)).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => String(fmt(r[c]!)))))].join('\n');
};
