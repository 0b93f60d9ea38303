// Egress gate costs, per HTTPS request on a new connection (what one curl call does): an allowed request to a
// gated host through the gate (CONNECT, TLS terminated with the install's CA, judged, forwarded with a kept-
// alive upstream connection) against the same request straight to the server — target ≤ +5 ms median after
// the first per-host certificate; and an untouched tunnel to another host against direct — target ≤ +1 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { ensureCa } from '../../src/egress/ca.js';
import { judgeRequest } from '../../src/egress/judge.js';
import { startEgressProxy } from '../../src/egress/proxy.js';
import { egressSettings } from '../../src/egress/settings.js';
import { loadEngine } from '../../src/engine.js';
import { startRailway, startUnrelated, testCertificates } from '../egress/servers.js';
import { median, table } from './measure.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15) * 10;
const BODY = JSON.stringify({ query: 'query { me { name } }' });

/** A socket to host:port through the proxy's CONNECT, or straight to 127.0.0.1:port. */
const tunnel = (socketPath: string, host: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const s = netConnect(socketPath);
    s.once('error', reject);
    s.once('connect', () => s.write(`CONNECT ${host}:443 HTTP/1.1\r\nHost: ${host}:443\r\n\r\n`));
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      s.off('data', onData);
      if (!buf.startsWith('HTTP/1.1 200')) return reject(new Error(buf.split('\r\n')[0]));
      resolve(s);
    };
    s.on('data', onData);
  });

const post = (host: string, ca: string | string[], socket: () => Promise<Socket> | Socket, path: string, body: string | null): Promise<void> =>
  new Promise((resolve, reject) => {
    Promise.resolve(socket()).then((raw) => {
      const tls = tlsConnect({ socket: raw, servername: host, ca });
      const req = request(
        { host, path, method: body ? 'POST' : 'GET', headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}, createConnection: () => tls },
        (res) => {
          res.resume();
          res.on('end', () => {
            tls.destroy();
            if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
            else resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(body ?? undefined);
    }, reject);
  });

const timed = async (runs: number, cases: Record<string, () => Promise<void>>): Promise<Record<string, number>> => {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i <= runs; i++) {
    for (const [name, fn] of Object.entries(cases)) {
      const t = performance.now();
      await fn();
      if (i > 0) times[name]!.push(performance.now() - t);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
};

export const main = async (): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'bg-bench-egress-'));
  const home = join(dir, 'home');
  try {
    const certs = testCertificates(dir, ['backboard.railway.app', 'unrelated.example']);
    const [railway, unrelated] = await Promise.all([startRailway(certs), startUnrelated(certs, Buffer.alloc(2048, 7))]);
    const env = { PATH: process.env.PATH, HOME: home, XDG_STATE_HOME: join(home, 's'), XDG_CONFIG_HOME: join(home, 'c'), XDG_DATA_HOME: join(home, 'd'), BLASTGATE_SYSTEM_DIR: join(dir, 'sys') };
    const engine = await loadEngine({ env, cwd: dir, actor: 'agent' });
    const settings = egressSettings(engine.policy, engine.index);
    // The bench sets the override directly; in use only a root-owned system policy can (settings.ts).
    settings.resolve = { 'backboard.railway.app': `127.0.0.1:${railway.port}`, 'unrelated.example': `127.0.0.1:${unrelated.port}` };
    settings.upstreamCa = [certs.ca];
    const ca = await ensureCa(join(dir, 'data'));
    const socketPath = join(dir, 'egress.sock');
    const proxy = await startEgressProxy({ socketPath, settings, ca, judge: (r) => judgeRequest(r, { engine, settings, secrets: [], cwd: dir }) });
    const direct = (port: number) => () => netConnect(port, '127.0.0.1');
    // First request through the gate mints the host's certificate and loads the analyzers: not measured.
    await post('backboard.railway.app', ca.certPem, () => tunnel(socketPath, 'backboard.railway.app'), '/graphql/v2', BODY);
    const gated = await timed(RUNS, {
      direct: () => post('backboard.railway.app', certs.ca, direct(railway.port), '/graphql/v2', BODY),
      gate: () => post('backboard.railway.app', ca.certPem, () => tunnel(socketPath, 'backboard.railway.app'), '/graphql/v2', BODY),
    });
    const tunnelled = await timed(RUNS, {
      direct: () => post('unrelated.example', certs.ca, direct(unrelated.port), '/blob', null),
      tunnel: () => post('unrelated.example', certs.ca, () => tunnel(socketPath, 'unrelated.example'), '/blob', null),
    });
    await proxy.close();
    await Promise.all([railway.close(), unrelated.close()]);
    const gateExtra = gated.gate! - gated.direct!;
    const tunnelExtra = tunnelled.tunnel! - tunnelled.direct!;
    process.stdout.write(
      `${table([
        { case: 'allowed GraphQL query, direct (new TLS connection)', 'median ms': gated.direct!, extra: '' },
        { case: 'allowed GraphQL query through the gate', 'median ms': gated.gate!, extra: gateExtra.toFixed(2) },
        { case: 'unrelated host, direct', 'median ms': tunnelled.direct!, extra: '' },
        { case: 'unrelated host, untouched tunnel', 'median ms': tunnelled.tunnel!, extra: tunnelExtra.toFixed(2) },
      ])}\n`,
    );
    process.stdout.write(`targets: gate ≤ +5 ms (${gateExtra.toFixed(2)}), tunnel ≤ +1 ms (${tunnelExtra.toFixed(2)})\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

if (import.meta.url === `file://${process.argv[1]}`) await main();
