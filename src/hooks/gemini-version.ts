// Gemini CLI honours a BeforeTool hook's `{"decision":"ask"}` only from 0.36.0 (google-gemini/gemini-cli#21146,
// merged 2026-03-04); an older CLI ignores the ask and runs the command (only the shims still gate it).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GEMINI_ASK_MIN = '0.36.0';

const parse = (v: string): number[] | null => {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
};

/** Why: `a < b` for dotted versions, without a semver dependency for one comparison. */
export const versionBelow = (a: string, b: string): boolean => {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return false;
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
  return false;
};

export interface GeminiAskCheck {
  status: 'ok' | 'warn';
  message: string;
  fix?: string;
}

/** For `doctor`: null when blastgate is not configured as a Gemini hook or the CLI is not installed. */
export const geminiAskCheck = (env: Record<string, string | undefined>, home: string): GeminiAskCheck | null => {
  let settings: string;
  try {
    settings = readFileSync(join(home, '.gemini', 'settings.json'), 'utf8');
  } catch {
    return null;
  }
  if (!settings.includes('blastgate hook gemini')) return null;
  const r = spawnSync('gemini', ['--version'], { env: env as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0 || !parse(r.stdout ?? '')) return null;
  const version = parse(r.stdout)!.join('.');
  if (versionBelow(version, GEMINI_ASK_MIN)) {
    return {
      status: 'warn',
      message: `Gemini CLI ${version} ignores the hook's "ask" (supported from ${GEMINI_ASK_MIN}): commands that need confirmation run unasked through the hook; only the shims still stop them`,
      fix: `npm install -g @google/gemini-cli@latest (${GEMINI_ASK_MIN} or later)`,
    };
  }
  return { status: 'ok', message: `Gemini CLI ${version} shows the hook's confirmations` };
};
