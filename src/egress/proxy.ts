// The broker's HTTP(S) proxy, listening on a unix socket bound into the jail. CONNECT to a host that is not
// gated: an untouched tunnel (bytes both ways, never read). CONNECT to a gated host: TLS terminated with
// the install's CA, each request judged (judge.ts), then forwarded upstream with real credentials or
// refused with a 403 the agent can read. Plain HTTP: the same, per request.
import { createServer as createHttpServer, request as httpRequest, Agent as HttpAgent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { connect, type Socket } from 'node:net';
import { createSecureContext, rootCertificates, TLSSocket, type SecureContext } from 'node:tls';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { EgressCa } from './ca.js';
import type { WireRequest, WireVerdict } from './judge.js';
import { destination, isLocalAddress, type EgressSettings } from './settings.js';
import { lookup } from 'node:dns';

export interface EgressProxyOptions {
  socketPath: string;
  settings: EgressSettings;
  ca: EgressCa;
  judge: (r: WireRequest) => Promise<WireVerdict>;
  /** A tunnel or request refused by `egress.default: deny` (for the audit log). */
  onBlocked?: (host: string, port: number) => void;
}

export interface EgressProxy {
  server: Server;
  close(): Promise<void>;
}

/** Bodies larger than this are not judged: refused (fail closed). */
const MAX_BODY = 8 * 1024 * 1024;
/** An upstream silent this long is given up (the client gets a 502, never a request left hanging). */
const UPSTREAM_IDLE_MS = 120_000;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const parseTarget = (authority: string, defaultPort: number): { host: string; port: number } | null => {
  const m = /^\[?([^\][]+?)\]?(?::(\d{1,5}))?$/.exec(authority);
  if (!m) return null;
  return { host: m[1]!.toLowerCase().replace(/\.$/, ''), port: m[2] ? Number(m[2]) : defaultPort };
};

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Refusal(413, `blastgate: request body over ${MAX_BODY} bytes is not judged, so not sent`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** The body as the server will understand it: every content-encoding undone, or a refusal (fail closed). */
const decoded = (raw: Buffer, encoding: string | undefined): Buffer => {
  let out = raw;
  const layers = (encoding ?? '').split(',').map((e) => e.trim().toLowerCase()).filter((e) => e && e !== 'identity');
  for (const e of layers.reverse()) {
    try {
      if (e === 'gzip' || e === 'x-gzip') out = gunzipSync(out);
      else if (e === 'deflate') out = out[0] === 0x78 ? inflateSync(out) : inflateRawSync(out);
      else if (e === 'br') out = brotliDecompressSync(out);
      else throw new Refusal(415, `blastgate: content-encoding ${e} cannot be judged, so it is not sent`);
    } catch (err) {
      if (err instanceof Refusal) throw err;
      throw new Refusal(400, `blastgate: the ${e} body cannot be decoded, so it is not sent`);
    }
  }
  return out;
};

/** A DNS answer pointing at this machine (a name made to resolve to 127.0.0.1) is refused like the literal. */
const remoteOnly: typeof lookup = ((host: string, options: object, cb: (err: NodeJS.ErrnoException | null, address: string | { address: string; family: number }[], family?: number) => void) => {
  lookup(host, { ...options, all: false }, (err, address, family) => {
    if (err) return cb(err, '', 0);
    if (isLocalAddress(address as string)) return cb(Object.assign(new Error(`${host} resolves to ${String(address)}, this machine`), { code: 'ELOCAL' }), '', 0);
    if ((options as { all?: boolean }).all) return cb(null, [{ address: address as string, family: family ?? 4 }]);
    cb(null, address as string, family);
  });
}) as unknown as typeof lookup;

const sendJson = (res: ServerResponse, status: number, json: Record<string, string>) => {
  if (res.headersSent) return void res.destroy();
  const text = `${JSON.stringify(json)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-blastgate': 'egress' });
  res.end(text);
};

export const startEgressProxy = async (opts: EgressProxyOptions): Promise<EgressProxy> => {
  const { settings } = opts;
  const sockets = new Set<Socket>();
  const contexts = new Map<string, Promise<SecureContext>>();
  const contextFor = (host: string) => {
    let c = contexts.get(host);
    if (!c) contexts.set(host, (c = opts.ca.leafFor(host).then((leaf) => createSecureContext(leaf))));
    return c;
  };
  const ca = settings.upstreamCa.length ? [...rootCertificates, ...settings.upstreamCa] : undefined;
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true, ...(ca ? { ca } : {}) }) };

  const forward = (res: ServerResponse, wire: WireRequest, v: Extract<WireVerdict, { kind: 'forward' }>) => {
    const to = destination(settings, wire.host, wire.port);
    if (!to.ok) return sendJson(res, 403, { error: `blastgate: ${to.reason}` });
    const headers: Record<string, string | string[]> = { ...v.headers };
    if (v.body) headers['content-length'] = String(v.body.length);
    const options = { host: to.host, port: to.port, method: wire.method, path: wire.path, headers, servername: wire.host, agent: wire.scheme === 'https' ? agents.https : agents.http, ...(to.checkAddress ? { lookup: remoteOnly } : {}) };
    const up = (wire.scheme === 'https' ? httpsRequest : httpRequest)(options, (upRes) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, val] of Object.entries(upRes.headers)) if (val !== undefined && !HOP_BY_HOP.has(k)) out[k] = val;
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, out);
      upRes.pipe(res);
    });
    up.on('error', (err) => sendJson(res, 502, { error: `blastgate: ${wire.host}: ${(err as NodeJS.ErrnoException).code ?? err.message}` }));
    up.setTimeout(UPSTREAM_IDLE_MS, () => up.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })));
    // The client went away before the answer was complete: stop the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    up.end(v.body ?? undefined);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, scheme: 'http' | 'https', host: string, port: number, path: string) => {
    const raw = await readBody(req);
    const gated = settings.gated.has(host);
    // Only a gated host's body is decoded and judged; elsewhere only placeholders are looked for.
    const body = gated ? decoded(raw, req.headers['content-encoding'] as string | undefined) : raw;
    const headers: WireRequest['headers'] = {};
    for (const [k, val] of Object.entries(req.headers)) {
      // The body is already read whole: no `Expect: 100-continue` handshake upstream.
      if (HOP_BY_HOP.has(k) || k === 'content-length' || k === 'expect' || (gated && k === 'content-encoding')) continue;
      headers[k] = val;
    }
    const hasBody = raw.length > 0 || req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    const wire: WireRequest = { method: req.method ?? 'GET', scheme, host, port, path, headers, body: hasBody ? body : null };
    const v = await opts.judge(wire);
    if (v.kind === 'refuse') return sendJson(res, v.status, v.json);
    forward(res, wire, v);
  };

  const safely = (res: ServerResponse, work: Promise<void>) =>
    work.catch((err: unknown) => {
      if (err instanceof Refusal) return sendJson(res, err.status, { error: err.message });
      sendJson(res, 502, { error: `blastgate: egress error: ${(err as Error)?.message ?? String(err)}` });
    });

  // Requests inside a terminated TLS connection: the CONNECT target is where they go, whatever Host says.
  const targets = new WeakMap<Socket, { host: string; port: number }>();
  const inner = createHttpServer((req, res) => {
    const t = targets.get(req.socket);
    if (!t) return sendJson(res, 400, { error: 'blastgate: no tunnel target' });
    safely(res, handle(req, res, 'https', t.host, t.port, req.url ?? '/'));
  });

  const outer = createHttpServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return sendJson(res, 400, { error: 'blastgate: this is an HTTP proxy: send absolute URLs or CONNECT' });
    }
    if (url.protocol !== 'http:') return sendJson(res, 400, { error: `blastgate: ${url.protocol} through a plain proxy request is not supported; use CONNECT` });
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const port = url.port ? Number(url.port) : 80;
    const to = destination(settings, host, port);
    if (!to.ok) {
      opts.onBlocked?.(host, port);
      return sendJson(res, 403, { error: `blastgate: ${to.reason}` });
    }
    safely(res, handle(req, res, 'http', host, port, `${url.pathname}${url.search}`));
  });

  outer.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const target = parseTarget(req.url ?? '', 443);
    if (!target) return void client.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    const to = destination(settings, target.host, target.port);
    if (!to.ok) {
      opts.onBlocked?.(target.host, target.port);
      const text = `blastgate: ${to.reason}\n`;
      return void client.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
    }
    if (settings.gated.has(target.host)) {
      client.pause();
      contextFor(target.host).then(
        (secureContext) => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          if (head.length) client.unshift(head);
          const tls = new TLSSocket(client, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
          tls.on('error', () => client.destroy());
          targets.set(tls, target);
          inner.emit('connection', tls);
          client.resume();
        },
        () => client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'),
      );
      return;
    }
    const up = connect({ port: to.port, host: to.host, ...(to.checkAddress ? { lookup: remoteOnly } : {}) });
    sockets.add(up);
    up.on('close', () => sockets.delete(up));
    up.setNoDelay(true);
    client.setNoDelay(true);
    up.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', (err) => {
      if (up.connecting) client.end(`HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nX-Blastgate: ${(err as NodeJS.ErrnoException).code ?? 'error'}\r\n\r\n`);
      else client.destroy();
    });
    client.on('close', () => up.destroy());
  });
  outer.on('clientError', (_err, sock) => sock.destroy());

  await new Promise<void>((resolve, reject) => {
    outer.once('error', reject);
    outer.listen(opts.socketPath, () => resolve());
  });

  return {
    server: outer,
    close: async () => {
      for (const s of sockets) s.destroy();
      agents.http.destroy();
      agents.https.destroy();
      outer.closeAllConnections();
      inner.closeAllConnections();
      await new Promise<void>((resolve) => outer.close(() => resolve()));
    },
  };
};
