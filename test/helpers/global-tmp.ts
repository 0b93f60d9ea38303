// vitest globalSetup: every temp dir the suite makes (mkdtemp under os.tmpdir()) lands in one private
// dir for this run, removed when the run ends — `npm test` leaves /tmp as it found it.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const outer = tmpdir();
  const run = mkdtempSync(join(outer, 'bg-vitest-'));
  // As open as /tmp itself: attack tests run a real non-root user on dirs made under it.
  chmodSync(run, 0o1777);
  // Workers start after this and inherit it: os.tmpdir() reads TMPDIR.
  process.env.TMPDIR = run;
  return () => {
    process.env.TMPDIR = outer;
    rmSync(run, { recursive: true, force: true });
  };
}
