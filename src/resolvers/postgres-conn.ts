// Which PostgreSQL server, database and user a command connects to, worked out the way libpq does:
// connection string / URI over command-line flags, then the service file, then PG* variables, then
// defaults. A password is only ever noted as present, never kept.
import { readRegularText } from '../payload/read.js';
import { join } from 'node:path';
import { userInfo } from 'node:os';

/** Connection settings libpq would use; every value as a human would read it. */
export interface PgConnection {
  host?: string;
  port?: string;
  dbname?: string;
  user?: string;
  service?: string;
  /** Where each value came from: 'flag', 'uri', 'service', 'env', 'default'. */
  sources: Record<string, string>;
  /** Settings that could not be known (an unset `$VAR`, an unreadable service). */
  unknown: string[];
  /** A password is part of the settings (URI, PGPASSWORD or service); it is never shown. */
  password: boolean;
}

/** What the command line says, before defaults: each may be a literal, `$VAR`, URI or conninfo. */
export interface ConnectionWords {
  host?: string;
  port?: string;
  dbname?: string;
  user?: string;
}

type Env = Record<string, string | undefined>;
type Params = Record<string, string>;

const KEYS = ['host', 'port', 'dbname', 'user'] as const;

/** `$VAR` / `${VAR}` in a word, from the command's environment; null when a variable is unset. */
export const expandVars = (word: string, env: Env): string | null => {
  let missing = false;
  const out = word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a: string | undefined, b: string | undefined) => {
    const v = env[(a ?? b)!];
    if (v === undefined) missing = true;
    return v ?? '';
  });
  return missing ? null : out;
};

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** `postgres[ql]://[user[:password]@][host][:port][,host2…][/dbname][?param=value…]`. */
export const parseUri = (uri: string): Params | null => {
  const m = /^postgres(?:ql)?:\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?/i.exec(uri);
  if (!m) return null;
  const out: Params = {};
  let authority = m[1]!;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = userinfo.indexOf(':');
    const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    if (user) out.user = decode(user);
    if (colon >= 0) out.password = '*';
  }
  const hosts: string[] = [];
  const ports: string[] = [];
  for (const part of authority.split(',').filter(Boolean)) {
    const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(part);
    if (!hp) continue;
    if (hp[1]) hosts.push(decode(hp[1].replace(/^\[|\]$/g, '')));
    if (hp[2]) ports.push(hp[2]);
  }
  if (hosts.length) out.host = hosts.join(',');
  if (ports.length) out.port = ports.join(',');
  if (m[2]) out.dbname = decode(m[2]);
  for (const pair of (m[3] ?? '').split('&').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const key = decode(eq >= 0 ? pair.slice(0, eq) : pair);
    out[key] = key === 'password' ? '*' : decode(eq >= 0 ? pair.slice(eq + 1) : '');
  }
  return out;
};

/** `host=db port=5432 dbname='my db'` — libpq's keyword/value connection string. */
export const parseConninfo = (s: string): Params => {
  const out: Params = {};
  const re = /\s*([A-Za-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const key = m[1]!;
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
    out[key] = key === 'password' ? '*' : value;
  }
  return out;
};

/** A dbname word that libpq expands into settings (URI or conninfo), else null. */
export const connectionString = (word: string): Params | null => {
  if (/^postgres(?:ql)?:\/\//i.test(word)) return parseUri(word);
  if (word.includes('=')) return parseConninfo(word);
  return null;
};

/** The service file entry, searched where libpq searches: the user's file, then the system one. */
export const readService = (name: string, env: Env): Params | null => {
  const files = [
    env.PGSERVICEFILE ?? (env.HOME ? join(env.HOME, '.pg_service.conf') : null),
    join(env.PGSYSCONFDIR ?? '/etc/postgresql-common', 'pg_service.conf'),
  ].filter((f): f is string => !!f);
  for (const file of files) {
    let text: string;
    try {
      text = readRegularText(file);
    } catch {
      continue;
    }
    let inSection = false;
    let found = false;
    const out: Params = {};
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const section = /^\[(.*)\]$/.exec(line);
      if (section) {
        inSection = section[1]!.trim() === name;
        found ||= inSection;
        continue;
      }
      const eq = line.indexOf('=');
      if (inSection && eq > 0) {
        const key = line.slice(0, eq).trim();
        out[key] = key === 'password' ? '*' : line.slice(eq + 1).trim();
      }
    }
    if (found) return out;
  }
  return null;
};

const ENV_OF: Record<(typeof KEYS)[number], string> = { host: 'PGHOST', port: 'PGPORT', dbname: 'PGDATABASE', user: 'PGUSER' };

/** Layer flags, connection string, service, PG* env and defaults the way libpq does. */
export const resolveConnection = (words: ConnectionWords, env: Env): PgConnection => {
  const conn: PgConnection = { sources: {}, unknown: [], password: !!env.PGPASSWORD };
  const set = (key: string, value: string | undefined, source: string) => {
    if (value === undefined || value === '') return;
    (conn as unknown as Record<string, string>)[key] = value;
    conn.sources[key] = source;
  };
  let expanded: Params = {};
  for (const key of KEYS) {
    const word = words[key];
    if (word === undefined) continue;
    const value = expandVars(word, env);
    if (value === null) {
      conn.unknown.push(key);
      continue;
    }
    const cs = key === 'dbname' ? connectionString(value) : null;
    if (cs) expanded = cs;
    else set(key, value, 'flag');
  }
  // Settings inside a connection string override the flags psql places before it.
  for (const key of [...KEYS, 'service'] as const) set(key, expanded[key], 'uri');
  if (expanded.password) conn.password = true;
  if (expanded.hostaddr && !conn.host) set('host', expanded.hostaddr, 'uri');
  const service = conn.service ?? env.PGSERVICE;
  if (service) {
    conn.service = service;
    const entry = readService(service, env);
    if (!entry) conn.unknown.push('service');
    for (const key of KEYS) if (!(key in conn.sources) && entry?.[key]) set(key, entry[key], 'service');
    if (entry?.password) conn.password = true;
  }
  for (const key of KEYS) if (!(key in conn.sources) && !conn.unknown.includes(key)) set(key, env[ENV_OF[key]] ?? (key === 'host' ? env.PGHOSTADDR : undefined), 'env');
  // libpq's default user is the operating-system account running the command, not $USER.
  if (!conn.user && !conn.unknown.includes('user')) set('user', safeUserName() ?? env.USER, 'default');
  if (!conn.dbname && !conn.unknown.includes('dbname') && conn.user) set('dbname', conn.user, 'default');
  if (!conn.port) set('port', '5432', 'default');
  return conn;
};

const safeUserName = (): string | undefined => {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
};

/** The host as a human reads it: a path is a local socket directory. */
export const hostLabel = (conn: PgConnection): string =>
  !conn.host ? 'local socket (default)' : conn.host.startsWith('/') ? `${conn.host} (local socket)` : conn.host;

/** Hosts a lookup may contact without network permission: local sockets and loopback. */
export const isLocalHost = (host: string | undefined): boolean =>
  !host || host.split(',').every((h) => h.startsWith('/') || h.startsWith('@') || h === 'localhost' || h === '127.0.0.1' || h === '::1');
