// Where a PostgreSQL client connects, read the way libpq reads it: flags, URI/conninfo, service file, PG* env.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLocalHost, parseConninfo, parseUri, resolveConnection } from '../../src/resolvers/postgres-conn.js';

describe('connection strings', () => {
  it.each([
    ['postgres://app:s3cret@db.internal:5433/shop?sslmode=require', { user: 'app', password: '*', host: 'db.internal', port: '5433', dbname: 'shop', sslmode: 'require' }],
    ['postgresql://db.internal/shop_production', { host: 'db.internal', dbname: 'shop_production' }],
    ['postgresql:///shop?host=/var/run/postgresql&port=5434', { dbname: 'shop', host: '/var/run/postgresql', port: '5434' }],
    ['postgresql://a.internal:5432,b.internal:5433/shop', { host: 'a.internal,b.internal', port: '5432,5433', dbname: 'shop' }],
    ['postgresql://user%40corp@[::1]:5432/my%20db', { user: 'user@corp', host: '::1', port: '5432', dbname: 'my db' }],
  ])('%s', (uri, expected) => {
    expect(parseUri(uri)).toEqual(expected);
  });

  it('reads keyword/value strings with quoting, and masks the password', () => {
    expect(parseConninfo("host=db.internal port=5432 dbname='my shop' user=app password='p w'")).toEqual({ host: 'db.internal', port: '5432', dbname: 'my shop', user: 'app', password: '*' });
  });
});

describe('resolveConnection', () => {
  it('flags, then defaults: port 5432, database = user', () => {
    const c = resolveConnection({ host: 'db.internal', user: 'app' }, {});
    expect(c).toMatchObject({ host: 'db.internal', port: '5432', user: 'app', dbname: 'app' });
    expect(c.sources).toMatchObject({ host: 'flag', user: 'flag', port: 'default', dbname: 'default' });
  });

  it('a URI given as the database overrides -h/-p/-U, as psql orders its parameters', () => {
    const c = resolveConnection({ host: 'localhost', user: 'me', dbname: 'postgres://app@db.prod.internal:6432/shop' }, {});
    expect(c).toMatchObject({ host: 'db.prod.internal', port: '6432', user: 'app', dbname: 'shop' });
  });

  it('PG* variables fill what the command line leaves out', () => {
    const c = resolveConnection({}, { PGHOST: 'pg.internal', PGPORT: '5433', PGUSER: 'ops', PGDATABASE: 'billing', PGPASSWORD: 'x' });
    expect(c).toMatchObject({ host: 'pg.internal', port: '5433', user: 'ops', dbname: 'billing', password: true });
  });

  it('$DATABASE_URL written literally is read from the environment; unset, it is unknown', () => {
    const env = { DATABASE_URL: 'postgresql://app:pw@db.internal/shop_production' };
    expect(resolveConnection({ dbname: '$DATABASE_URL' }, env)).toMatchObject({ host: 'db.internal', dbname: 'shop_production', password: true });
    const unknown = resolveConnection({ dbname: '${DATABASE_URL}' }, {});
    expect(unknown.unknown).toEqual(['dbname']);
    expect(unknown.dbname).toBeUndefined();
  });

  it('a service from PGSERVICE or service= is read from PGSERVICEFILE, then the system file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bg-pgsvc-'));
    writeFileSync(join(dir, 'user.conf'), '# mine\n[shop]\nhost=db.internal\nport=5433\ndbname=shop\nuser=app\npassword=hunter2\n');
    writeFileSync(join(dir, 'pg_service.conf'), '[reports]\nhost=reports.internal\ndbname=reports_prod\n');
    const env = { PGSERVICEFILE: join(dir, 'user.conf'), PGSYSCONFDIR: dir };
    expect(resolveConnection({}, { ...env, PGSERVICE: 'shop' })).toMatchObject({ host: 'db.internal', port: '5433', dbname: 'shop', user: 'app', service: 'shop', password: true });
    expect(resolveConnection({ dbname: 'service=reports' }, env)).toMatchObject({ host: 'reports.internal', dbname: 'reports_prod', service: 'reports' });
    // Service values win over PG* variables; explicit flags win over both.
    expect(resolveConnection({ host: 'override.internal' }, { ...env, PGSERVICE: 'shop', PGDATABASE: 'other' })).toMatchObject({ host: 'override.internal', dbname: 'shop' });
    expect(resolveConnection({}, { ...env, PGSERVICE: 'missing' }).unknown).toEqual(['service']);
  });

  it('never keeps a password value anywhere in what it returns', () => {
    const c = resolveConnection({ dbname: 'postgresql://app:hunter2@db.internal/shop?password=hunter3' }, { PGPASSWORD: 'hunter4' });
    expect(JSON.stringify(c)).not.toMatch(/hunter/);
    expect(c.password).toBe(true);
  });
});

describe('isLocalHost', () => {
  it.each([
    [undefined, true],
    ['/var/run/postgresql', true],
    ['localhost', true],
    ['127.0.0.1', true],
    ['db.internal', false],
    ['localhost,db.internal', false],
  ])('%s → %s', (host, local) => {
    expect(isLocalHost(host)).toBe(local);
  });
});
