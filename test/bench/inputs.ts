// Time and memory an input can force: `check`, the hook and a gated `run` (its audit record is redacted)
// on adversarial inputs up to 1 MiB. Target: every answer within 2 s and 256 MiB RSS, growing linearly.
// One fresh process per case, measured by GNU time (wall seconds, max RSS).
// Run alone: `node --import tsx test/bench/inputs.ts` (after `npm run build`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { table } from './measure.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'blastgate.js');
const SIZES = [64 * 1024, 256 * 1024, 1024 * 1024];
const TARGET_S = 2;
const TARGET_MIB = 256;
/** One argv word may not exceed 128 KiB (MAX_ARG_STRLEN): larger argv inputs are split into words. */
const WORD_MAX = 120 * 1024;

const words = (text: string): string[] => {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += WORD_MAX) out.push(text.slice(i, i + WORD_MAX));
  return out;
};

/** Shapes that made a regex or a parser retry from every position before. */
const SHAPES: Record<string, (n: number) => string> = {
  'letters': (n) => 'a'.repeat(n),
  'scheme-like': (n) => 'ab+'.repeat(Math.ceil(n / 3)).slice(0, n),
  'dash runs': (n) => '-a'.repeat(Math.ceil(n / 2)).slice(0, n),
  'url-ish': (n) => 'x://u:'.repeat(Math.ceil(n / 6)).slice(0, n),
};

interface Measured {
  seconds: number;
  mib: number;
  code: number | null;
}

const measure = (args: string[], env: NodeJS.ProcessEnv, input?: string): Measured => {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, bin, ...args], { env, input: input ?? '', maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
  const last = r.stderr.toString().trim().split('\n').pop() ?? '';
  const [s, kb] = last.split(' ').map(Number);
  // GNU time reports a non-zero exit on its own line; the last line is always ours.
  return { seconds: s ?? NaN, mib: (kb ?? NaN) / 1024, code: r.status };
};

export const main = async () => {
  if (!existsSync('/usr/bin/time')) {
    process.stdout.write('inputs: /usr/bin/time (GNU time) is not installed; skipped\n');
    return;
  }
  const home = mkdtempSync(join(tmpdir(), 'bg-bench-inputs-'));
  try {
    const env: NodeJS.ProcessEnv = {
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_STATE_HOME: join(home, '.local', 'state'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      BLASTGATE_SYSTEM_DIR: join(home, 'etc'),
      BLASTGATE_APPROVAL_WAIT: '0',
      PATH: process.env.PATH,
      LANG: 'C.UTF-8',
    };
    const rows: Array<Record<string, string | number>> = [];
    let worst = { seconds: 0, mib: 0 };
    for (const [shape, make] of Object.entries(SHAPES)) {
      for (const size of SIZES) {
        const text = make(size);
        const line = `echo ${text}; terraform destroy -auto-approve`;
        const script = join(home, 'script.sh');
        writeFileSync(script, `${line}\n`);
        const cases: Array<[string, Measured]> = [
          ['check --script', measure(['check', '--script', script], env)],
          ['hook claude-code', measure(['hook', 'claude-code'], env, JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: line } }))],
          ['check -- argv', measure(['check', '--', 'kubectl', 'delete', 'namespace', ...words(text)], env)],
          // Refused at once (no approval wait): the cost is the verdict plus the redacted audit record.
          ['run (gated, audited)', measure(['run', '--', 'kubectl', 'delete', 'namespace', ...words(text)], env)],
        ];
        for (const [door, m] of cases) {
          worst = { seconds: Math.max(worst.seconds, m.seconds), mib: Math.max(worst.mib, m.mib) };
          rows.push({ shape, 'input KiB': size / 1024, door, seconds: m.seconds, 'max RSS MiB': m.mib, exit: String(m.code) });
        }
      }
    }
    process.stdout.write(`${table(rows)}\n`);
    const ok = worst.seconds <= TARGET_S && worst.mib <= TARGET_MIB;
    process.stdout.write(`worst: ${worst.seconds.toFixed(2)} s, ${worst.mib.toFixed(0)} MiB (target ≤ ${TARGET_S} s, ≤ ${TARGET_MIB} MiB): ${ok ? 'met' : 'NOT MET'}\n`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
