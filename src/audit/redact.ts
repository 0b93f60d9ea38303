// Secrets out of anything blastgate writes down or shows: argv, targets, free text.
// Over-redacting a harmless value costs a little readability; under-redacting leaks a credential.

export const MASK = '***';

/** Env var names whose values are secrets (RAILWAY_TOKEN, RAILWAY_API_TOKEN, PGPASSWORD, AWS_SECRET_ACCESS_KEY …). */
const SECRET_ENV_NAME = /(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?|AUTH)/i;
/** Flag names whose value is a secret: --password, --db-password, --token, --api-key, --client-secret … */
const SECRET_FLAG = /^--?(?:[a-z0-9]+[-_])*(?:password|passwd|passphrase|pass|pwd|secret|token|api-?key|apikey|access-?key|secret-?key|private-?key|credentials?)(?:[-_][a-z0-9]+)*$/i;
/** Tools whose attached `-pVALUE` is a password (for psql `-p` is a port, so this is per tool). */
const ATTACHED_P_PASSWORD = new Set(['mysql', 'mysqldump', 'mysqladmin', 'mysqlimport', 'mysqlshow', 'mysqlcheck', 'mariadb', 'mariadb-dump', 'mariadb-admin']);
/** Tools where the word after the flag is a password. */
const SEPARATE_PASSWORD_FLAGS: Record<string, readonly string[]> = {
  sshpass: ['-p'],
  'redis-cli': ['-a'],
  mongo: ['-p'],
  mongosh: ['-p'],
  mongodump: ['-p'],
  mongorestore: ['-p'],
};
/** `user:password` after these flags (curl -u, --user, --proxy-user). */
const USER_PASS_FLAGS = new Set(['-u', '--user', '--proxy-user', '-U']);
const USER_PASS_TOOLS = new Set(['curl', 'wget', 'http', 'https']);

const redactAssignments = (text: string): string =>
  text.replace(/\b([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s'"]+)/g, (whole, name: string) =>
    SECRET_ENV_NAME.test(name) ? `${name}=${MASK}` : whole,
  );

const TEXT_RULES: Array<(text: string) => string> = [
  // scheme://user:password@host → scheme://user:***@host. Anchored on `://` (no scheme before it): a
  // leading `[a-z][a-z0-9+.-]*` would retry from every letter of a long word, quadratic in its length.
  (t) => t.replace(/(:\/\/[^/\s:@'"]*):([^@\s/'"]*)@/g, `$1:${MASK}@`),
  // Authorization / Cookie / API-key headers, whatever follows the colon.
  (t) => t.replace(/\b((?:proxy-)?authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|private-token|x-railway-token)(\s*:\s*)[^\n'"]*/gi, `$1$2${MASK}`),
  // NAME=value where the name says secret (PGPASSWORD=…, RAILWAY_TOKEN=…, conninfo password=…).
  redactAssignments,
  // --password=… / --token … inside a longer string (a `bash -c` body).
  // Only where a flag can start (not inside a word or a run of dashes): every `-` of `-a-a-a…` a start is quadratic.
  (t) => t.replace(/(?<![A-Za-z0-9_-])(--?(?:[a-z0-9]+[-_])*(?:password|passwd|passphrase|secret|token|api-?key|access-?key|private-?key)(?:[-_][a-z0-9]+)*)(=|\s+)("[^"]*"|'[^']*'|[^\s'"]+)/gi, `$1$2${MASK}`),
  // SQL: ALTER ROLE x PASSWORD 'secret'; MySQL IDENTIFIED BY 'secret'.
  (t) => t.replace(/\b(PASSWORD|IDENTIFIED\s+BY)(\s+)('(?:[^']|'')*'|"[^"]*")/gi, `$1$2'${MASK}'`),
  // Well-known token shapes: GitHub, Slack, AWS access key ids, OpenAI/Anthropic-style keys, JWTs.
  (t) => t.replace(/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|sk-[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})\b/g, MASK),
];

/** Values of secret-named env vars (RAILWAY_TOKEN, PGPASSWORD …) and URL passwords in the caller's env. */
export const secretValuesFrom = (env: Record<string, string | undefined>): string[] => {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < 6) continue;
    if (SECRET_ENV_NAME.test(name) && !/^(PWD|OLDPWD)$/.test(name)) out.add(value);
    const url = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:([^@\s/]+)@/i.exec(value);
    if (url?.[1] && url[1].length >= 4) out.add(url[1]);
  }
  // Longest first, so a value that contains another is masked whole.
  return [...out].sort((a, b) => b.length - a.length);
};

/** Why: one pass that masks secrets wherever they sit in a piece of text. */
export const redactText = (text: string, secrets: readonly string[] = []): string => {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(MASK);
  for (const rule of TEXT_RULES) out = rule(out);
  return out;
};

const basename = (word: string) => word.slice(word.lastIndexOf('/') + 1);

/** Why: argv needs per-word context (`--password VALUE`, `mysql -pVALUE`, `curl -u user:pass`) that plain text rules cannot see. */
export const redactArgv = (argv: readonly string[], env: Record<string, string | undefined> = {}): string[] => {
  const secrets = secretValuesFrom(env);
  let tool = '';
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const prev = i > 0 ? argv[i - 1]! : '';
    const name = basename(word);
    if (ATTACHED_P_PASSWORD.has(name) || name in SEPARATE_PASSWORD_FLAGS || USER_PASS_TOOLS.has(name)) tool = name;
    if (i > 0 && (SECRET_FLAG.test(prev) || (SEPARATE_PASSWORD_FLAGS[tool]?.includes(prev) ?? false))) {
      out.push(MASK);
      continue;
    }
    if (i > 0 && USER_PASS_TOOLS.has(tool) && USER_PASS_FLAGS.has(prev) && word.includes(':')) {
      out.push(`${word.slice(0, word.indexOf(':'))}:${MASK}`);
      continue;
    }
    const flagEq = /^(--?[A-Za-z0-9][A-Za-z0-9_-]*)=/.exec(word);
    if (flagEq && SECRET_FLAG.test(flagEq[1]!)) {
      out.push(`${flagEq[1]}=${MASK}`);
      continue;
    }
    if (ATTACHED_P_PASSWORD.has(tool) && /^-p.+/.test(word)) {
      out.push(`-p${MASK}`);
      continue;
    }
    if (SEPARATE_PASSWORD_FLAGS[tool]?.some((f) => word.startsWith(f) && word.length > f.length && !word.startsWith('--'))) {
      out.push(`${word.slice(0, 2)}${MASK}`);
      continue;
    }
    out.push(redactText(word, secrets));
  }
  return out;
};

/**
 * Why: a resolver may echo an argv word that redactArgv masked by context (the value after `--token`)
 * into the target; every value masked in argv is masked in the target too.
 */
export const secretsOf = (argv: readonly string[], env: Record<string, string | undefined> = {}): string[] => {
  const out = new Set(secretValuesFrom(env));
  const red = redactArgv(argv, env);
  for (const [i, word] of argv.entries()) {
    const r = red[i]!;
    if (r === word || !r.includes(MASK)) continue;
    const head = r.slice(0, r.indexOf(MASK));
    const tail = r.slice(r.lastIndexOf(MASK) + MASK.length);
    const secret = word.startsWith(head) && word.endsWith(tail) ? word.slice(head.length, word.length - tail.length) : word;
    if (secret.length >= 4) out.add(secret);
  }
  return [...out].sort((a, b) => b.length - a.length);
};

/** Why: targets come from resolvers that read env and config; strings in them get the same treatment. */
export const redactValue = <T>(value: T, secrets: readonly string[]): T => {
  if (typeof value === 'string') return redactText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactValue(v, secrets)])) as T;
  }
  return value;
};
