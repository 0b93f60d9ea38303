// Issue 11 "Why": every way an agent on the same uid reached the real psql, tried from inside
// `blastgate sandbox` as a real non-root user against a real PostgreSQL. The table must survive each.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { giveTo } from './agent-user.js';
import { makeWorld, shopDatabase, type World } from './world.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 90_000 });

let world: World;
let db: Awaited<ReturnType<typeof shopDatabase>>;

beforeAll(async () => {
  db = await shopDatabase();
  world = makeWorld();
  writeFileSync(join(world.work, 'nuke.sh'), `/usr/lib/postgresql/15/bin/psql ${db.psqlArgs} -c "DROP TABLE orders"\n/usr/bin/psql ${db.psqlArgs} -c "DROP TABLE orders"\n`);
  writeFileSync(join(world.work, 'drop.sql'), 'DROP TABLE orders;\n');
  giveTo(world.user, world.work);
});
// A line that got through drops the table; put it back so the next line is tried on its own.
beforeEach(async () => {
  if (!(await db.tableExists())) await db.psql('CREATE TABLE orders (id int)', 'shop');
});
afterAll(async () => {
  world?.cleanup();
  await db?.stop();
});

const drop = () => `${db.psqlArgs} -c "DROP TABLE orders"`;

describe('inside the sandbox, no path to psql drops the table without a human', () => {
  // Each line with why it must fail: the broker's refusal (77) for every path to the covered psql, or the
  // jail itself for a client that is not guarded (the server's socket is not visible inside).
  const GATED = /^blastgate: .*not run: /m;
  const NOT_COVERED = /^blastgate: .*mypsql is not a tool this sandbox covers/m;
  const NO_SOCKET = /No such file or directory/;
  const lines: Array<[string, () => string, RegExp]> = [
    ['an absolute path', () => `/usr/bin/psql ${drop()}`, GATED],
    ['PATH reset to the system dirs', () => `PATH=/usr/bin:/bin psql ${drop()}`, GATED],
    ['env -i', () => `env -i psql ${drop()}`, GATED],
    ['command -p', () => `command -p psql ${drop()}`, GATED],
    ['hash -p', () => `hash -p /usr/bin/psql psql; psql ${drop()}`, GATED],
    ['exec -a from the versioned dir', () => `exec -a psql /usr/lib/postgresql/15/bin/psql ${drop()}`, GATED],
    ['a copied binary', () => `cp /usr/lib/postgresql/15/bin/psql ./mypsql && ./mypsql ${drop()}`, NOT_COVERED],
    ['python subprocess', () => `python3 -c 'import subprocess, sys; sys.exit(subprocess.run(["/usr/bin/psql", ${db.psqlArgs.split(' ').map((w) => JSON.stringify(w)).join(', ')}, "-c", "DROP TABLE orders"]).returncode)'`, GATED],
    ['sh nuke.sh with absolute paths', () => 'sh nuke.sh', GATED],
    ['pgbench -f through the psql wrapper', () => `pgbench -n -t 1 -f drop.sql -h ${db.host} -p ${db.port} -U postgres shop`, GATED],
    ['pgbench -f from the versioned dir', () => `/usr/lib/postgresql/15/bin/pgbench -n -t 1 -f drop.sql -h ${db.host} -p ${db.port} -U postgres shop`, GATED],
    // Debian's vacuumdb is a link to pg_wrapper, the same file as psql: covered, and without rules of its own.
    ['another name for the psql wrapper, without rules', () => `vacuumdb -h ${db.host} -p ${db.port} -U postgres shop`, /^blastgate: .*not run: .*vacuumdb runs the same file as .*psql/m],
    ['a raw connection to the server socket', () => `python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect("${db.host}/.s.PGSQL.${db.port}")'`, NO_SOCKET],
  ];
  it.each(lines)('%s', async (_what, line, why) => {
    const r = world.sandbox(line());
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(why);
    expect(await db.tableExists()).toBe(true);
  });

  it('a hand-made request that claims a terminal still has its piped SQL judged', async () => {
    const request = JSON.stringify({ v: 1, binary: '/usr/bin/psql', args: db.psqlArgs.split(' '), cwd: world.work, env: {}, stdinIsTTY: true });
    const frame = (type: number, body: string) => `bytes([${type}]) + len(${JSON.stringify(body)}.encode()).to_bytes(4, "big") + ${JSON.stringify(body)}.encode()`;
    const py = `import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect("/run/blastgate/broker.sock"); s.sendall(${frame(1, request)} + ${frame(2, 'DROP TABLE orders;')} + ${frame(3, '')})
out = b""
while True:
    d = s.recv(65536)
    if not d: break
    out += d
sys.stdout.write(repr(out))`;
    writeFileSync(join(world.work, 'raw.py'), py);
    const r = world.sandbox('python3 raw.py');
    expect(r.stdout).toMatch(/not run: /);
    expect(await db.tableExists()).toBe(true);
  });

  it('the covered psql is the gate: it says so, and psql reached by any path is refused the same way', () => {
    const r = world.sandbox(`/usr/lib/postgresql/15/bin/psql ${drop()}`);
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/^blastgate: .*not run/m);
  });
});
