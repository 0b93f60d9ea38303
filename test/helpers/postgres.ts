// A real PostgreSQL server for tests: Debian's binaries, a temp data dir, a unix socket only, torn down after.
// PostgreSQL refuses to run as root, so initdb and pg_ctl run as the `postgres` account.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the Debian packages put the server binaries (see .ci/run). */
export const PG_BIN = process.env.BLASTGATE_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** The socket directory: pass it as `-h`. */
  host: string;
  port: number;
  /** Run SQL as the superuser `postgres` (ON_ERROR_STOP) and return psql's unaligned, tuples-only output. */
  psql(sql: string, database?: string): Promise<string>;
  stop(): Promise<void>;
}

const postgresIds = async (): Promise<{ uid: number; gid: number }> => {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
};

const asPostgres = (args: string[]) =>
  process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', ...args]) : run(args[0]!, args.slice(1));

/** Start a throwaway server; `stop()` kills it and deletes its directory. */
export const startPostgres = async (): Promise<TestPostgres> => {
  if (!existsSync(join(PG_BIN, 'initdb'))) throw new Error(`PostgreSQL server binaries not found in ${PG_BIN} (install postgresql-15)`);
  const dir = mkdtempSync('/tmp/bg-pg-');
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const { uid, gid } = await postgresIds();
    chownSync(dir, uid, gid);
  }
  const port = 20000 + Math.floor(Math.random() * 40000);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await asPostgres([join(PG_BIN, 'pg_ctl'), '-D', data, 'stop', '-m', 'immediate']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await asPostgres([join(PG_BIN, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const options = `-c listen_addresses='' -c unix_socket_directories='${dir}' -p ${port} -c fsync=off -c full_page_writes=off`;
    await asPostgres([join(PG_BIN, 'pg_ctl'), '-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
  } catch (err) {
    await stop();
    throw err;
  }
  const psql = async (sql: string, database = 'postgres') => {
    const { stdout } = await run(join(PG_BIN, 'psql'), ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', String(port), '-U', 'postgres', '-d', database, '-c', sql], { env: { ...process.env, PGPASSWORD: '' } });
    return stdout.trim();
  };
  return { host: dir, port, psql, stop };
};
