// Which Railway credential a command would use and how far it reaches. Names only, never token values.
import type { RailwayConfig } from './railway-config.js';

export interface Credential {
  name: string;
  scope: string;
}

type Env = Record<string, string | undefined>;

export const ACCOUNT_WIDE = 'account-wide: this token can delete anything in the account (a workspace token: anything in that workspace)';
export const SESSION_WIDE = "account-wide: the logged-in user's session can delete anything the user can reach";
export const PROJECT_ONLY = 'project token: one environment of one project';

/** The CLI's order (config.rs get_railway_auth_token): RAILWAY_TOKEN, then RAILWAY_API_TOKEN, then the login session. */
export const cliCredential = (env: Env, config: RailwayConfig | null): Credential | undefined => {
  if (env.RAILWAY_TOKEN) return { name: 'RAILWAY_TOKEN', scope: PROJECT_ONLY };
  if (env.RAILWAY_API_TOKEN) return { name: 'RAILWAY_API_TOKEN', scope: ACCOUNT_WIDE };
  if (config?.session.accessToken || config?.session.legacyToken) {
    return { name: `railway login session (${config.path})`, scope: SESSION_WIDE };
  }
  return undefined;
};

// ---------- a token written into an HTTP request (curl -H, wget --header, httpie/xh items and flags) ----------

const BEARER = /^\s*authorization\s*:\s*bearer\s+(.+?)\s*$/i;
const PROJECT_HEADER = /^\s*project-access-token\s*:\s*(.+?)\s*$/i;

/**
 * Where a token comes from, by its written form: `$VAR`, `${VAR}`, `$(…)`, or literal text. Through a shim
 * the shell has already expanded `$RAILWAY_API_TOKEN`, so literal text equal to an exported variable's
 * value is named after that variable (the value itself is never shown).
 */
const tokenSource = (value: string, env: Env): string => {
  const v = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(value.trim());
  if (v) return v[1]!;
  if (/\$\(|`/.test(value)) return 'a token computed when the command runs';
  if (/\$/.test(value)) return 'a token built from shell variables';
  const literal = value.trim();
  const exported = literal.length >= 8 ? Object.keys(env).sort((a, b) => Number(b.startsWith('RAILWAY_')) - Number(a.startsWith('RAILWAY_')) || a.localeCompare(b)).find((k) => env[k] === literal) : undefined;
  return exported ?? 'a token written into the command line';
};

const HEADER_FLAG = /^--hea(?:d(?:er?)?)?$/;

/** Header strings and bearer-flag values in an HTTP client's argv. */
const authOf = (argv: readonly string[]): { bearer: string[]; project: string[]; headerFiles: boolean } => {
  const bearer: string[] = [];
  const project: string[] = [];
  let headerFiles = false;
  const header = (h: string) => {
    if (h.startsWith('@')) headerFiles = true;
    const b = BEARER.exec(h);
    if (b) bearer.push(b[1]!);
    const p = PROJECT_HEADER.exec(h);
    if (p) project.push(p[1]!);
  };
  let authType = '';
  const auth: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i]!;
    const next = argv[i + 1];
    // curl `-H v`, `-sSH v`; wget's own `-H` is a switch (--span-hosts), so a following flag is not a value.
    // `--hea`…`--header`: curl and wget accept unambiguous prefixes of long options.
    if ((HEADER_FLAG.test(w) || /^-[A-Za-z]*H$/.test(w)) && next !== undefined && !next.startsWith('-')) header(argv[++i]!);
    else if (/^--hea(?:d(?:er?)?)?=/.test(w)) header(w.slice(w.indexOf('=') + 1));
    else if (/^-H./.test(w)) header(w.slice(2));
    else if ((/^--oa(?:u(?:t(?:h(?:2(?:-(?:b(?:e(?:a(?:r(?:er?)?)?)?)?)?)?)?)?)?)?$/.test(w) || w === '--bearer') && next !== undefined) bearer.push(argv[++i]!);
    else if (w.startsWith('--oauth2-bearer=') || w.startsWith('--bearer=')) bearer.push(w.slice(w.indexOf('=') + 1));
    else if ((w === '-A' || w === '--auth-type') && next !== undefined) authType = argv[++i]!;
    else if (w.startsWith('--auth-type=')) authType = w.slice('--auth-type='.length);
    else if ((w === '-a' || w === '--auth') && next !== undefined) auth.push(argv[++i]!);
    else if (w.startsWith('--auth=')) auth.push(w.slice('--auth='.length));
    else if (/^[A-Za-z][\w-]*:(?!\/\/|=)/.test(w)) header(w); // httpie/xh `Name:value` item
  }
  if (authType.toLowerCase() === 'bearer') bearer.push(...auth);
  return { bearer, project, headerFiles };
};

/**
 * The credential an HTTP request to Railway carries. Railway reads `Authorization: Bearer` as an account,
 * workspace or OAuth token whatever the variable is called (its docs use $RAILWAY_TOKEN there), and
 * `Project-Access-Token` as a project token.
 */
export const requestCredential = (argv: readonly string[], env: Env = {}): { credential: Credential; notes: string[] } => {
  const { bearer, project, headerFiles } = authOf(argv);
  const notes: string[] = [];
  if (bearer.length > 0) {
    const name = tokenSource(bearer[0]!, env);
    if (name === 'RAILWAY_TOKEN') notes.push('RAILWAY_TOKEN is sent as a Bearer token here: Railway reads it as an account or workspace token, not a project token.');
    return { credential: { name: `${name} (sent as a Bearer token)`, scope: ACCOUNT_WIDE }, notes };
  }
  if (project.length > 0) return { credential: { name: `${tokenSource(project[0]!, env)} (Project-Access-Token)`, scope: PROJECT_ONLY }, notes };
  const where = headerFiles ? 'headers are read from a file' : 'no Authorization header on the command line';
  return { credential: { name: 'not visible', scope: `unknown: ${where} (a ~/.curlrc, -K/--config file or --netrc can add one)` }, notes };
};
