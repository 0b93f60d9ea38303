// What `pg_dump … | psql` feeds psql, from pg_dump's own options: a plain dump only creates and fills
// objects; `--clean` first drops every object it dumps (`--create` too: the database itself).
import type { SimpleCommand, StdinSource } from '../types.js';

/** pg_dump's short options that take a value (`pg_dump --help`, PostgreSQL 15). */
const VALUE_SHORT = new Set(['f', 'F', 'j', 'Z', 'e', 'E', 'n', 'N', 'S', 't', 'T', 'd', 'h', 'p', 'U']);

/** getopt_long takes any unique prefix: `--cl` is --clean (`--c` is ambiguous and pg_dump refuses it). */
const longIs = (word: string, name: string, shortest: number) => {
  const w = word.split('=')[0]!.slice(2);
  return w.length >= shortest && name.startsWith(w);
};

interface DumpOptions {
  clean: boolean;
  create: boolean;
  toFile: boolean;
  dbname?: string;
}

const readDumpArgs = (args: string[]): DumpOptions => {
  const o: DumpOptions = { clean: false, create: false, toFile: false };
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w === '--') {
      o.dbname ??= args[i + 1];
      break;
    }
    if (w.startsWith('--')) {
      if (longIs(w, 'clean', 2)) o.clean = true;
      else if (longIs(w, 'create', 2)) o.create = true;
      else if (longIs(w, 'file', 3)) o.toFile = true;
      else if (longIs(w, 'dbname', 2)) o.dbname = w.includes('=') ? w.slice(w.indexOf('=') + 1) : args[++i];
      continue;
    }
    if (w.startsWith('-') && w.length > 1) {
      for (let j = 1; j < w.length; j++) {
        const c = w[j]!;
        if (c === 'c') o.clean = true;
        if (c === 'C') o.create = true;
        if (VALUE_SHORT.has(c)) {
          const value = j + 1 < w.length ? w.slice(j + 1) : args[++i];
          if (c === 'f') o.toFile = true;
          if (c === 'd') o.dbname = value;
          break;
        }
      }
      continue;
    }
    o.dbname ??= w;
  }
  return o;
};

/**
 * The SQL a `pg_dump` upstream of a pipe sends, as far as its options say; null when they cannot be read
 * (a word only known at run time, `--c` ambiguity aside, which pg_dump itself refuses).
 */
export const pgDumpOutput = (up: SimpleCommand): StdinSource | null => {
  if (up.dynamic.length > 0) return null;
  const o = readDumpArgs(up.argv.slice(1));
  if (o.toFile) return { kind: 'herestring', body: '' };
  const source = `pg_dump ${o.dbname ?? '(default database)'}`;
  if (!o.clean) return { kind: 'herestring', body: `-- ${source}: plain dump output, only CREATE and COPY\n` };
  const drops = [`DROP TABLE "each table ${source} dumps" CASCADE;`];
  if (o.create) drops.unshift(`DROP DATABASE "${(o.dbname ?? 'the dumped database').replace(/"/g, '""')}";`);
  return { kind: 'herestring', body: `-- ${source} --clean: drops every object it dumps before re-creating it\n${drops.join('\n')}\n` };
};
