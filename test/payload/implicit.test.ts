// Implicit inputs through `blastgate check`: the files and variables psql, curl and wget read on their own
// are judged like their command lines (rulesets' grammar.implicit), and a config that cannot be followed
// is unknown — never allow.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { blastgate, sandbox } from '../helpers/cli.js';

const box = sandbox();
const home = box.env.HOME!;
const dir = join(box.root, 'work');
mkdirSync(dir);
afterAll(() => rmSync(box.root, { recursive: true, force: true }));
afterEach(() => {
  for (const f of ['.psqlrc', '.psqlrc-99', '.curlrc', '.wgetrc', '.config']) rmSync(join(home, f), { recursive: true, force: true });
});

const RAILWAY = 'https://backboard.railway.com/graphql/v2';
const DELETE_BODY = '{"query":"mutation { volumeDelete(volumeId: \\"vol_prod\\") }"}';

const check = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = blastgate(['check', '--json', '--', ...argv], { env: { ...box.env, ...env }, cwd: dir });
  const out = r.stdout ? JSON.parse(r.stdout) : null;
  return { code: r.code, decision: out?.decision as string, rules: ((out?.matches ?? []) as Array<{ rule: string }>).map((m) => m.rule), text: r.stdout + r.stderr };
};

describe('psql startup files', () => {
  it('a decoy ~/.psqlrc-99 does not hide ~/.psqlrc: both are read', () => {
    writeFileSync(join(home, '.psqlrc-99'), '\\set QUIET 1\n');
    writeFileSync(join(home, '.psqlrc'), 'DROP TABLE orders;\n');
    expect(check(['psql', '-c', 'select 1']).rules).toContain('psql:drop-table');
  });

  it('$PGSYSCONFDIR/psqlrc is a startup file too', () => {
    const sys = join(dir, 'sysconf');
    mkdirSync(sys, { recursive: true });
    writeFileSync(join(sys, 'psqlrc'), 'TRUNCATE orders;\n');
    expect(check(['psql', '-c', 'select 1'], { PGSYSCONFDIR: sys }).rules).toContain('psql:truncate-or-delete-all');
  });

  it('--no-psqlrc is -X', () => {
    writeFileSync(join(home, '.psqlrc'), 'DROP TABLE orders;\n');
    expect(check(['psql', '--no-psqlrc', '-c', 'select 1']).decision).toBe('allow');
  });
});

describe('curl config files', () => {
  it('$XDG_CONFIG_HOME/.curlrc (curl 7.73+) is read', () => {
    mkdirSync(join(home, '.config'), { recursive: true });
    writeFileSync(join(home, '.config', '.curlrc'), `url = "${RAILWAY}"\ndata = ${JSON.stringify(DELETE_BODY)}\n`);
    expect(check(['curl', '-s']).rules).toContain('curl:railway-volume-delete');
  });

  it('a -K file that names another config (`config = more.cfg`) is followed', () => {
    writeFileSync(join(dir, 'body.json'), DELETE_BODY);
    writeFileSync(join(dir, 'more.cfg'), '--data @body.json\n');
    writeFileSync(join(dir, 'outer.cfg'), `url = "${RAILWAY}"\nconfig = "more.cfg"\n`);
    expect(check(['curl', '-K', 'outer.cfg']).rules).toContain('curl:railway-volume-delete');
  });

  it('curl -K - with the config in a here-string is judged from the line', () => {
    writeFileSync(join(dir, 'body.json'), DELETE_BODY);
    const line = `curl -K - <<< $'url = "${RAILWAY}"\\ndata = "@body.json"'`;
    const r = blastgate(['check', '--json', '--shell', line], { env: box.env, cwd: dir });
    expect(JSON.parse(r.stdout).matches.map((m: { rule: string }) => m.rule)).toContain('curl:railway-volume-delete');
  });

  it('curl -K - with stdin nobody can see is unknown: not allowed', () => {
    expect(check(['curl', '-K', '-']).decision).not.toBe('allow');
  });

  it('a config curl reads but the gate cannot follow (unterminated quote) is unknown: not allowed', () => {
    writeFileSync(join(home, '.curlrc'), 'data = "{\\"query\\": \n');
    const r = check(['curl', 'https://example.com/health']);
    expect(r.decision).not.toBe('allow');
    expect(r.text).toMatch(/cannot be followed/);
  });

  it('a harmless ~/.curlrc leaves a harmless request allowed', () => {
    writeFileSync(join(home, '.curlrc'), '# defaults\nsilent\nconnect-timeout = 5\nuser-agent = "me/1.0"\n');
    expect(check(['curl', 'https://example.com/health']).decision).toBe('allow');
  });
});

describe('wget startup files', () => {
  const wgetrc = `post_data = ${DELETE_BODY}\n`;

  it('WGETRC=file with post_data = <volumeDelete>: not allowed', () => {
    writeFileSync(join(dir, 'evil.wgetrc'), wgetrc);
    expect(check(['wget', '-q', RAILWAY], { WGETRC: join(dir, 'evil.wgetrc') }).rules).toContain('wget:railway-volume-delete');
  });

  it('~/.wgetrc the same; --no-config turns it off for wget and for the gate', () => {
    writeFileSync(join(home, '.wgetrc'), wgetrc);
    expect(check(['wget', '-q', RAILWAY]).rules).toContain('wget:railway-volume-delete');
    expect(check(['wget', '--no-config', '-q', RAILWAY]).decision).toBe('allow');
  });
});

describe('other shells\' startup files', () => {
  afterEach(() => {
    for (const f of ['.mongoshrc.js', '.sqliterc']) rmSync(join(home, f), { force: true });
  });

  it('~/.mongoshrc.js with db.dropDatabase(): mongosh --eval of a harmless find is not allowed; --norc skips it', () => {
    writeFileSync(join(home, '.mongoshrc.js'), 'db.dropDatabase()\n');
    expect(check(['mongosh', 'mongodb://db/shop', '--eval', 'db.orders.find()']).rules).toContain('mongosh:drop-database');
    expect(check(['mongosh', '--norc', 'mongodb://db/shop', '--eval', 'db.orders.find()']).decision).toBe('allow');
  });

  it('~/.sqliterc with DROP TABLE: sqlite3 app.db "select 1" is not allowed; a .headers/.mode sqliterc is fine', () => {
    writeFileSync(join(home, '.sqliterc'), '.headers on\n.mode column\n');
    expect(check(['sqlite3', 'app.db', 'select 1']).decision).toBe('allow');
    writeFileSync(join(home, '.sqliterc'), '.headers on\nDROP TABLE users;\n');
    expect(check(['sqlite3', 'app.db', 'select 1']).decision).not.toBe('allow');
  });
});

describe('MySQL option files', () => {
  afterEach(() => rmSync(join(home, '.my.cnf'), { force: true }));

  it('~/.my.cnf with init-command = DROP TABLE in [mysql]: mysql -e "select 1" is not allowed; --no-defaults skips it', () => {
    writeFileSync(join(home, '.my.cnf'), '[client]\nuser = app\n[mysql]\ninit-command = "DROP TABLE orders"\n');
    expect(check(['mysql', 'shop', '-e', 'select 1']).decision).not.toBe('allow');
    expect(check(['mysql', '--no-defaults', 'shop', '-e', 'select 1']).decision).toBe('allow');
  });

  it('an !includedir is followed: execute = TRUNCATE in conf.d/x.cnf is found; other programs\' groups are not read', () => {
    const conf = join(dir, 'conf.d');
    mkdirSync(conf, { recursive: true });
    writeFileSync(join(conf, 'server.cnf'), '[mysqld]\ninit-file = /var/lib/mysql/init.sql\n');
    writeFileSync(join(home, '.my.cnf'), `[client]\nuser = app\n!includedir ${conf}\n`);
    expect(check(['mysql', 'shop', '-e', 'select 1']).decision).toBe('allow');
    writeFileSync(join(conf, 'x.cnf'), '[mysql]\nexecute = TRUNCATE orders\n');
    expect(check(['mysql', 'shop', '-e', 'select 1']).decision).not.toBe('allow');
  });
});

describe('a file the same command line writes before the tool reads it', () => {
  const hook = (command: string) => {
    const r = blastgate(['hook', 'claude-code'], { env: box.env, cwd: dir, input: JSON.stringify({ tool_name: 'Bash', tool_input: { command }, cwd: dir }) });
    return JSON.parse(r.stdout || '{}')?.hookSpecificOutput?.permissionDecision as string | undefined;
  };

  it("hook: printf 'DROP TABLE orders;' > ~/.psqlrc && psql -c 'select 1' is not allowed (the psqlrc does not exist yet)", () => {
    expect(hook("printf 'DROP TABLE orders;\\n' > ~/.psqlrc && psql -d shop -c 'select 1'")).toMatch(/ask|deny/);
  });

  it('hook: a harmless q.sql on disk, overwritten on the line before psql -f q.sql, is not judged by its old content', () => {
    writeFileSync(join(dir, 'q.sql'), 'SELECT 1;\n');
    expect(hook("printf 'DROP TABLE orders;' > q.sql && psql -f q.sql")).toMatch(/ask|deny/);
  });

  it('hook: echo … | tee ~/.curlrc; curl -s is not allowed', () => {
    expect(hook(`echo 'url = "${RAILWAY}"' | tee ~/.curlrc; curl -s`)).toMatch(/ask|deny/);
  });

  it('writing some other file on the line changes nothing: echo hi > out.txt && psql -c "select 1" is allowed', () => {
    expect(check(['bash', '-c', "echo hi > out.txt && psql -c 'select 1'"]).decision).toBe('allow');
  });
});
