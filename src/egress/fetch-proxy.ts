// Preloaded into node inside the jail (NODE_OPTIONS=--require …, bundled to dist/egress-fetch-proxy.js):
// Node 20's fetch ignores HTTPS_PROXY, so without this it has no route out at all. On the first fetch,
// the global dispatcher becomes an Agent of Node's own undici whose connector opens a CONNECT tunnel
// through the proxy; TLS then runs end to end with the default trust (NODE_EXTRA_CA_CERTS included).
// node:net and node:tls are required on the first fetch only: loading tls costs every node start ≈ 6 ms.
import type { Socket } from 'node:net';

const DISPATCHER = Symbol.for('undici.globalDispatcher.1');
const proxy = (() => {
  try {
    return new URL(process.env.HTTPS_PROXY ?? process.env.https_proxy ?? process.env.ALL_PROXY ?? '');
  } catch {
    return null;
  }
})();

interface ConnectOptions {
  hostname: string;
  port: string | number;
  protocol: string;
  servername?: string;
}
type Callback = (err: Error | null, socket: Socket | null) => void;

const tunnel = (o: ConnectOptions, cb: Callback) => {
  const port = Number(o.port) || (o.protocol === 'https:' ? 443 : 80);
  const host = o.hostname.includes(':') ? `[${o.hostname}]` : o.hostname;
  const { connect: netConnect } = require('node:net') as typeof import('node:net');
  const sock = netConnect(Number(proxy!.port) || 80, proxy!.hostname);
  let buf = Buffer.alloc(0);
  const fail = (err: Error) => {
    sock.destroy();
    cb(err, null);
  };
  sock.once('error', fail);
  sock.on('connect', () => sock.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`));
  const onData = (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    sock.off('data', onData);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(buf.subarray(0, end).toString('latin1'))?.[1];
    if (status !== '200') return fail(new Error(`proxy refused CONNECT ${host}:${port}: ${buf.subarray(0, end).toString('latin1').split('\r\n')[0]}`));
    sock.off('error', fail);
    if (o.protocol !== 'https:') return cb(null, sock);
    const { connect: tlsConnect } = require('node:tls') as typeof import('node:tls');
    const tls = tlsConnect({ socket: sock, servername: o.servername ?? o.hostname, ALPNProtocols: ['http/1.1'] });
    tls.once('secureConnect', () => cb(null, tls as unknown as Socket));
    tls.once('error', (err) => cb(err, null));
  };
  sock.on('data', onData);
};

const original = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
if (proxy && original) {
  let installed = false;
  const realFetch = (): typeof fetch => (original.get ? original.get.call(globalThis) : original.value) as typeof fetch;
  const install = () => {
    installed = true;
    // Node loads its undici (and sets the global dispatcher) on first use of any of its classes.
    if (!(globalThis as Record<symbol, unknown>)[DISPATCHER]) void new Headers();
    const current = (globalThis as Record<symbol, unknown>)[DISPATCHER] as { constructor: new (o: object) => unknown } | undefined;
    if (current) (globalThis as Record<symbol, unknown>)[DISPATCHER] = new current.constructor({ connect: tunnel });
  };
  Object.defineProperty(globalThis, 'fetch', {
    configurable: true,
    writable: true,
    enumerable: original.enumerable ?? false,
    value: function fetch(input: Parameters<typeof globalThis.fetch>[0], init?: Parameters<typeof globalThis.fetch>[1]) {
      const f = realFetch();
      if (!installed) install();
      return f(input, init);
    },
  });
}
