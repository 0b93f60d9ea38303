// `doctor`'s view of the harness hooks: a settings file that exists but no longer runs blastgate's hook,
// or runs it without the harness's fail-closed switch, is a hole with a one-line fix.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import type { Check } from '../../commands/doctor.js';
import { hookStatus } from './entries.js';
import { readInstalledHooks } from './record.js';
import { readSettings } from './settings-file.js';
import { HARNESS_NAMES, HARNESS_TARGETS, type Scope } from './targets.js';

const SCOPES: Scope[] = ['user', 'project', 'system'];

const flag = (scope: Scope) => (scope === 'user' ? '' : ` --${scope}`);

export const hookChecks = (opts: { env: Record<string, string | undefined>; cwd: string; stateDir: string }): Check[] => {
  const home = opts.env.HOME || homedir();
  const installed = readInstalledHooks(opts.stateDir);
  const checks: Check[] = [];
  for (const name of HARNESS_NAMES) {
    const target = HARNESS_TARGETS[name];
    for (const scope of SCOPES) {
      const file = target.file(scope, home, opts.cwd);
      if (!file || !existsSync(file)) continue;
      const id = `hook:${name}:${scope}`;
      const fix = `blastgate hook install ${name}${flag(scope)}`;
      let status;
      try {
        status = hookStatus(readSettings(file).data, target);
      } catch (err) {
        checks.push({ id, status: 'warn', message: `cannot read ${file}: ${(err as Error).message}`, fix: `fix the file, then ${fix}` });
        continue;
      }
      const wasInstalled = installed.some((e) => e.harness === name && e.file === file);
      if (status.missing.length === target.events.length) {
        checks.push(wasInstalled
          ? { id, status: 'fail', message: `${file} dropped blastgate's hook: ${name}'s tool calls are no longer checked`, fix }
          : { id, status: 'info', message: `${file} has no blastgate hook: ${name}'s tool calls are checked only by the shims`, fix });
      } else if (status.missing.length > 0) {
        checks.push({ id, status: 'fail', message: `${file} runs blastgate's hook for ${target.events.filter((e) => !status.missing.includes(e.event)).map((e) => e.event).join(', ')} but not ${status.missing.join(', ')}`, fix });
      } else if (status.failOpen.length > 0) {
        checks.push({ id, status: 'fail', message: `${file} runs blastgate's hook without ${Object.keys(target.failClosed).join(', ')}: a crash or timeout lets the call through`, fix });
      } else {
        checks.push({ id, status: 'ok', message: `${file} runs blastgate's ${name} hook${target.failOpenNote ? ` (${name} has no fail-closed switch; the shims back it up)` : ', failing closed'}` });
      }
    }
  }
  return checks;
};
