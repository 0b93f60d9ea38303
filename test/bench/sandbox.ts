// Sandbox costs: a safe guarded command inside (client → broker → real tool) against the same command
// through `blastgate run` outside (target ≤ 1.3×), and the sandbox's start over starting the command
// directly (target ≤ 150 ms).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, table, timeInterleaved, timeProcess } from './measure.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'blastgate.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const TOOL = ['psql', '--version'];

export const main = async (): Promise<void> => {
  const work = mkdtempSync(join(tmpdir(), 'bg-bench-sbx-'));
  try {
    const probe = join(work, 'probe.cjs');
    writeFileSync(
      probe,
      `const { spawnSync } = require('node:child_process');
const t = [];
for (let i = 0; i <= ${RUNS}; i++) { const s = performance.now(); spawnSync(${JSON.stringify(TOOL[0])}, ${JSON.stringify(TOOL.slice(1))}, { stdio: 'ignore' }); if (i) t.push(performance.now() - s); }
process.stdout.write(JSON.stringify(t));\n`,
    );
    // Alternate batches inside and outside so machine noise hits both alike.
    const insideTimes: number[] = [];
    const outsideTimes: number[] = [];
    for (let round = 0; round < 3; round++) {
      const inside = spawnSync(process.execPath, [BIN, 'sandbox', '--workspace', work, '--', process.execPath, probe], { cwd: work, encoding: 'utf8' });
      if (inside.status !== 0) throw new Error(`sandbox bench failed: ${inside.stderr}`);
      insideTimes.push(...(JSON.parse(inside.stdout) as number[]));
      outsideTimes.push(timeProcess(process.execPath, [BIN, 'run', '--', ...TOOL], RUNS));
    }
    const insideMs = median(insideTimes);
    const outsideMs = median(outsideTimes);
    const directMs = timeProcess(TOOL[0]!, TOOL.slice(1), RUNS);
    const start = timeInterleaved(
      [
        { name: 'direct', cmd: 'true', args: [] },
        { name: 'sandbox', cmd: process.execPath, args: [BIN, 'sandbox', '--workspace', work, '--', 'true'] },
      ],
      RUNS,
    );
    process.stdout.write(
      `${table([
        { case: `${TOOL.join(' ')} direct`, 'median ms': directMs, ratio: '' },
        { case: `blastgate run -- ${TOOL.join(' ')} (outside)`, 'median ms': outsideMs, ratio: '1.00' },
        { case: `${TOOL.join(' ')} inside the sandbox`, 'median ms': insideMs, ratio: (insideMs / outsideMs).toFixed(2) },
      ])}\n\n${table([
        { case: 'true directly', 'median ms': start.direct! },
        { case: 'blastgate sandbox -- true', 'median ms': start.sandbox! },
        { case: 'sandbox start overhead', 'median ms': start.sandbox! - start.direct! },
      ])}\n`,
    );
    process.stdout.write(`targets: inside/outside ≤ 1.30 (${(insideMs / outsideMs).toFixed(2)}), start overhead ≤ 150 ms (${(start.sandbox! - start.direct!).toFixed(1)})\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
};
