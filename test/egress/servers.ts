// Real servers on loopback standing in for the world outside the sandbox: Railway's GraphQL endpoint
// (HTTPS, with a test CA of its own made by the real openssl), an unrelated HTTPS host, a plain-HTTP host.
// Each records what it received, so a test checks the harm on the server itself.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { join } from 'node:path';

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestServer {
  port: number;
  received: Received[];
  close(): Promise<void>;
}

const openssl = (args: string[], cwd: string) => {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
};

/** A CA and a certificate for `hosts`, written into `dir`: ca.crt, server.key, server.crt. */
export const testCertificates = (dir: string, hosts: string[]): { caFile: string; key: string; cert: string; ca: string } => {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=egress test CA'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${hosts[0]}`], dir);
  const ext = join(dir, 'ext.cnf');
  spawnSync('sh', ['-c', `printf 'subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}\\n' > ${ext}`]);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', ext], dir);
  const read = (n: string) => readFileSync(join(dir, n), 'utf8');
  return { caFile: join(dir, 'ca.crt'), key: read('server.key'), cert: read('server.crt'), ca: read('ca.crt') };
};

const listen = async (server: Server, received: Received[]): Promise<TestServer> => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
};

const recording = (received: Received[], reply: (r: Received) => { status: number; type: string; body: string | Buffer }) => (req: IncomingMessage, res: import('node:http').ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    received.push(r);
    const out = reply(r);
    res.writeHead(out.status, { 'content-type': out.type });
    res.end(out.body);
  });
};

/** Railway's GraphQL API as far as the tests need it: it answers every request and remembers it. */
export const startRailway = (tls: { key: string; cert: string }): Promise<TestServer> => {
  const received: Received[] = [];
  const server = createHttps(
    tls,
    recording(received, (r) => ({ status: 200, type: 'application/json', body: JSON.stringify({ data: r.body.includes('volumeDelete') ? { volumeDelete: true } : { me: { name: 'Ada' } } }) })),
  );
  return listen(server, received);
};

/** Another HTTPS host with fixed random bytes at /blob: a tunnel must deliver them byte for byte. */
export const startUnrelated = (tls: { key: string; cert: string }, blob = randomBytes(64 * 1024)): Promise<TestServer & { blob: Buffer }> => {
  const received: Received[] = [];
  const server = createHttps(tls, recording(received, () => ({ status: 200, type: 'application/octet-stream', body: blob })));
  return listen(server, received).then((s) => ({ ...s, blob }));
};

export const startPlainHttp = (): Promise<TestServer> => {
  const received: Received[] = [];
  return listen(createHttp(recording(received, () => ({ status: 200, type: 'text/plain', body: 'ok\n' }))), received);
};
