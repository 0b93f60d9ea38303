// Redis analyzer: the commands redis-cli would send — from its arguments, stdin lines (`echo FLUSHALL |`,
// `< cmds.txt`, `--pipe`) or an `--eval` Lua script — judged against the commands that lose data.
//
// Finding kinds (rulesets/redis-cli.yaml selects on these):
//   flush          FLUSHALL, FLUSHDB: every key of the server / the database
//   replicate      REPLICAOF|SLAVEOF host port: the server drops its data and copies another server's
//   config-write   CONFIG SET dir|dbfilename: persistence files written anywhere (a known takeover path)
//   persistence-off CONFIG SET save ""|appendonly no: no more snapshots or AOF — the next restart loses data
//   shutdown-nosave SHUTDOWN NOSAVE / ABORT-less crash without saving
//   swapdb         SWAPDB: two databases trade places under every client
//   delete-keys    DEL / UNLINK of literal keys
//   delete-unknown DEL / UNLINK of keys only known at run time (`--scan … | xargs redis-cli DEL`)
//   script-flush   SCRIPT FLUSH, FUNCTION FLUSH|DELETE
//   unknown        unreadable payload, or a Lua script calling a command it builds at run time
import type { Finding } from '../types.js';
import type { Analyzer, Payload } from './types.js';

/** Sound prefilter: text with none of these words cannot hold a command listed above. */
const KEYWORDS = /flushall|flushdb|replicaof|slaveof|config|shutdown|swapdb|del|unlink|script|function|redis\.p?call/i;

/** Words the parse stage leaves for values only known at run time (`$X`, `$(…)`, xargs' `{}`). */
const RUNTIME_WORD = /^\$|\$\(|`|^\{\}$/;

/** Split one redis-cli line the way redis-cli does: blanks separate, "…" and '…' quote (with \ escapes in "…"). */
export const splitRedisLine = (line: string): string[] => {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let word = '';
    const quote = line[i] === '"' || line[i] === "'" ? line[i++] : null;
    while (i < line.length) {
      const c = line[i]!;
      if (quote) {
        if (c === quote) {
          i++;
          break;
        }
        if (c === '\\' && quote === '"' && i + 1 < line.length) {
          word += line[i + 1];
          i += 2;
          continue;
        }
        word += c;
        i++;
      } else {
        if (/\s/.test(c)) break;
        word += c;
        i++;
      }
    }
    out.push(word);
  }
  return out;
};

const statement = (args: string[]) => args.join(' ').slice(0, 120);

/** Findings for one command (its words as redis would receive them). */
export const judgeRedisCommand = (args: string[], origin: string): Finding[] => {
  if (args.length === 0) return [];
  const name = args[0]!.toUpperCase();
  const sub = (args[1] ?? '').toUpperCase();
  const details = { statement: statement(args), origin };
  const found = (kind: string, detail: string): Finding[] => [{ kind, detail, details }];
  if (RUNTIME_WORD.test(args[0]!)) return found('unknown', `a command name only known at run time (${statement(args)})`);
  switch (name) {
    case 'FLUSHALL':
      return found('flush', 'deletes every key in every database of the server (FLUSHALL)');
    case 'FLUSHDB':
      return found('flush', 'deletes every key in the database (FLUSHDB)');
    case 'REPLICAOF':
    case 'SLAVEOF':
      return sub === 'NO' ? [] : found('replicate', `discards this server's data and copies ${args.slice(1).join(':') || 'another server'}'s (${name})`);
    case 'SWAPDB':
      return found('swapdb', `swaps databases ${args[1] ?? '?'} and ${args[2] ?? '?'} under every client (SWAPDB)`);
    case 'SHUTDOWN':
      return args.slice(1).some((a) => a.toUpperCase() === 'NOSAVE') ? found('shutdown-nosave', 'stops the server without saving: writes since the last snapshot are lost (SHUTDOWN NOSAVE)') : [];
    case 'SCRIPT':
      return sub === 'FLUSH' ? found('script-flush', 'deletes every cached Lua script (SCRIPT FLUSH)') : [];
    case 'FUNCTION':
      return sub === 'FLUSH' || sub === 'DELETE' ? found('script-flush', `deletes stored functions (FUNCTION ${sub})`) : [];
    case 'CONFIG': {
      if (sub !== 'SET') return [];
      const findings: Finding[] = [];
      for (let i = 2; i + 1 < args.length; i += 2) {
        const key = args[i]!.toLowerCase();
        const value = args[i + 1]!;
        if (key === 'dir' || key === 'dbfilename') findings.push(...found('config-write', `makes the server write its data file to ${key === 'dir' ? 'directory' : 'file'} ${value} (CONFIG SET ${key})`));
        else if ((key === 'save' && value.trim() === '') || (key === 'appendonly' && /^no$/i.test(value))) findings.push(...found('persistence-off', `turns persistence off (CONFIG SET ${key} ${JSON.stringify(value)}): a restart loses the data`));
      }
      return findings;
    }
    case 'DEL':
    case 'UNLINK': {
      const keys = args.slice(1);
      if (keys.some((k) => RUNTIME_WORD.test(k))) return found('delete-unknown', `deletes keys only known at run time (${statement(args)})`);
      return keys.length ? found('delete-keys', `deletes ${keys.length === 1 ? `key ${keys[0]}` : `${keys.length} keys`} (${name})`) : [];
    }
    default:
      return [];
  }
};

/** A Lua script (`--eval`): literal redis.call('CMD', …) are judged; a command built at run time is unknown. */
const judgeLua = (text: string, origin: string): Finding[] => {
  const findings: Finding[] = [];
  for (const m of text.matchAll(/redis\.p?call\s*\(([^)]*)\)?/g)) {
    // A literal argument keeps its text; anything else (a variable, KEYS[1], a concatenation) is run-time.
    const args = m[1]!.split(',').map((a) => /^\s*(['"])(.*)\1\s*$/.exec(a)?.[2] ?? `$${a.trim()}`);
    findings.push(...judgeRedisCommand(args, origin));
  }
  return findings;
};

export const analyzeRedis: Analyzer = async (payloads, ctx) => {
  const findings: Finding[] = [];
  let argWords = payloads.filter((p) => p.origin === 'argument').map((p) => p.text ?? '');
  // `redis-cli --cluster call HOST:PORT CMD …` runs CMD on every node: the command starts after the address.
  if (ctx.argv.includes('--cluster')) argWords = argWords.slice(1);
  if (argWords.length) findings.push(...judgeRedisCommand(argWords, 'arguments'));
  for (const p of payloads.filter((x: Payload) => x.origin !== 'argument')) {
    if (p.text === null) {
      findings.push({ kind: 'unknown', detail: p.problem ?? `${p.origin} cannot be read`, details: { origin: p.origin } });
      continue;
    }
    if (!KEYWORDS.test(p.text)) continue;
    if (p.origin.startsWith('--eval')) {
      findings.push(...judgeLua(p.text, p.origin));
      continue;
    }
    for (const line of p.text.split('\n')) findings.push(...judgeRedisCommand(splitRedisLine(line), p.origin));
  }
  return findings;
};
