// The jail's side of the egress gate, planned outside before the jail starts: the proxy variables, the
// trust bundle with the install's CA (at the system bundle's own path, and for each client's variable),
// the forwarder that runs first inside, and node's fetch preload. All files go into the socket dir,
// which the jail sees read-only at SOCKET_DIR_INSIDE.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import type { JailSpec } from '../sandbox/jail.js';
import { SOCKET_DIR_INSIDE } from '../sandbox/socket-path.js';
import type { EgressCa } from './ca.js';

/** The proxy's port on the jail's own loopback (nothing else listens in a fresh network namespace). */
export const EGRESS_PORT = 3128;
export const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface EgressPlan {
  ca: EgressCa;
  /** The proxy's socket outside. */
  socketPath: string;
  env: Record<string, string>;
  masks: JailSpec['masks'];
  egress: JailSpec['egress'];
}

const here = dirname(fileURLToPath(import.meta.url));
const bundled = (name: string): string => {
  for (const c of [join(here, name), join(here, '..', '..', 'dist', name)]) if (existsSync(c)) return c;
  throw new UsageError(`sandbox: dist/${name} is missing; run \`npm run build\``);
};

export const planEgress = (ca: EgressCa, sockDir: string, env: Record<string, string | undefined>): EgressPlan => {
  copyFileSync(bundled('egress-forwarder.js'), join(sockDir, 'egress-forwarder.js'));
  copyFileSync(bundled('egress-fetch-proxy.js'), join(sockDir, 'egress-fetch-proxy.js'));
  const system = existsSync(SYSTEM_BUNDLE) ? readFileSync(SYSTEM_BUNDLE, 'utf8') : '';
  writeFileSync(join(sockDir, 'ca-bundle.crt'), `${system}${system.endsWith('\n') || !system ? '' : '\n'}${ca.certPem}`, { mode: 0o444 });
  writeFileSync(join(sockDir, 'egress-ca.crt'), ca.certPem, { mode: 0o444 });
  const inside = (n: string) => `${SOCKET_DIR_INSIDE}/${n}`;
  const proxy = `http://127.0.0.1:${EGRESS_PORT}`;
  const bundle = inside('ca-bundle.crt');
  const jailEnv: Record<string, string> = {
    NODE_EXTRA_CA_CERTS: inside('egress-ca.crt'),
    NODE_OPTIONS: [`--require=${inside('egress-fetch-proxy.js')}`, env.NODE_OPTIONS].filter(Boolean).join(' '),
  };
  for (const n of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY']) jailEnv[n] = jailEnv[n.toLowerCase()] = proxy;
  // The jail's own loopback stays in the jail; everything else goes to the proxy.
  jailEnv.NO_PROXY = jailEnv.no_proxy = 'localhost,127.0.0.1,::1';
  for (const n of ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO']) jailEnv[n] = bundle;
  return {
    ca,
    socketPath: join(sockDir, 'egress.sock'),
    env: jailEnv,
    masks: existsSync(SYSTEM_BUNDLE) ? [{ path: SYSTEM_BUNDLE, replacement: { kind: 'file', source: join(sockDir, 'ca-bundle.crt') } }] : [],
    egress: { kind: 'proxy', port: EGRESS_PORT, node: process.execPath, forwarder: inside('egress-forwarder.js'), socket: inside('egress.sock') },
  };
};
