// The closed-world list for agents: programs that run other programs (rulesets/data/exec-programs.yaml).
// From dist the compiled JSON is read once (a few KB); from source the YAML is parsed (tests, development).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: Record<string, string> | undefined;

export const EXEC_PROGRAMS_JSON = 'exec-programs.json';
export const EXEC_PROGRAMS_YAML = join('rulesets', 'data', 'exec-programs.yaml');

/** program → what it runs. Throws only if the package is broken (no data at all). */
export function execPrograms(): Record<string, string> {
  if (cached) return cached;
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = join(here, EXEC_PROGRAMS_JSON);
  if (existsSync(compiled)) return (cached = JSON.parse(readFileSync(compiled, 'utf8')) as Record<string, string>);
  const source = [join(here, '..', '..', EXEC_PROGRAMS_YAML), join(here, '..', EXEC_PROGRAMS_YAML)].find((f) => existsSync(f));
  if (!source) throw new Error(`blastgate: ${EXEC_PROGRAMS_YAML} missing`);
  return (cached = parseExecPrograms(readFileSync(source, 'utf8'), source));
}

/** Validates the data file: `programs:` mapping program names to a one-line description. */
export function parseExecPrograms(text: string, file: string): Record<string, string> {
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const data = yaml.parse(text) as { programs?: unknown } | null;
  const programs = data?.programs;
  if (!programs || typeof programs !== 'object' || Array.isArray(programs)) throw new Error(`${file}: expected a "programs:" mapping`);
  for (const [name, what] of Object.entries(programs)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name)) throw new Error(`${file}: programs.${name}: not a program name`);
    if (typeof what !== 'string' || what.trim() === '') throw new Error(`${file}: programs.${name}: say what it runs`);
  }
  return programs as Record<string, string>;
}
