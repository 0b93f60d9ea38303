// Where this blastgate lives: what shims exec for the full check, and what lookups must never return.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (holds package.json named blastgate), from the bundle (dist/, dist/chunks/) or src/. */
export const packageRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'blastgate') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find blastgate's package.json above ${fileURLToPath(import.meta.url)}`);
};

export interface SelfEntry {
  /** The node binary running us now; shims exec it by absolute path (no `env node` PATH search). */
  node: string;
  /** bin/blastgate.js */
  bin: string;
  /**
   * Files whose change means the rules the shims were generated from may differ (checked by mtime):
   * the compiled built-in rules (the build stamps them with their sources' mtime), never the code.
   */
  versionFiles: string[];
}

export const selfEntry = (): SelfEntry => {
  const root = packageRoot();
  const dist = join(root, 'dist');
  const compiled = join(dist, 'rulesets.json');
  // The bundle reads the compiled rules; from source (tests, a dev checkout) the YAML is read.
  let versionFiles = [compiled];
  if (!existsSync(compiled)) {
    const yamlDir = join(root, 'rulesets');
    const yaml = existsSync(yamlDir) ? readdirSync(yamlDir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(yamlDir, f)) : [];
    versionFiles = [...versionFiles, yamlDir, ...yaml];
  }
  versionFiles = versionFiles.filter((f) => existsSync(f));
  return { node: process.execPath, bin: join(root, 'bin', 'blastgate.js'), versionFiles };
};
