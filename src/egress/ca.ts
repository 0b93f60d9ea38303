// The install's egress CA: created once under blastgate's data dir (masked inside every jail), private
// key readable only by its owner. Leaf certificates for gated hosts are minted on first use and cached
// in memory; all leaves share one key, generated natively once per install (node-forge's RSA key
// generation is pure JS and slow; its signing of one certificate is not). node-forge (≈ 40 ms to load) is
// loaded only to create the CA or mint a leaf, never on a sandbox start that finds the CA in place.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type forgeModule from 'node-forge';

type Forge = typeof forgeModule;
let forgeLoaded: Forge | null = null;
const loadForge = async (): Promise<Forge> => (forgeLoaded ??= (await import('node-forge')).default);

export interface EgressCa {
  dir: string;
  certPem: string;
  /** Key and certificate chain (leaf + CA) for a host, in PEM. */
  leafFor(host: string): Promise<{ key: string; cert: string }>;
}

const writeAtomic = (file: string, text: string, mode: number) => {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
};

const newKeyPem = (): { publicPem: string; privatePem: string } => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() };
};

const serial = () => `01${randomBytes(15).toString('hex')}`;

const createCa = (forge: Forge, dir: string) => {
  const key = newKeyPem();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 86_400_000);
  const name = [{ name: 'commonName', value: `blastgate sandbox egress CA (${randomBytes(4).toString('hex')})` }, { name: 'organizationName', value: 'blastgate' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(key.privatePem), forge.md.sha256.create());
  const leaf = newKeyPem();
  writeAtomic(join(dir, 'ca.key'), key.privatePem, 0o600);
  writeAtomic(join(dir, 'leaf.key'), leaf.privatePem, 0o600);
  writeAtomic(join(dir, 'leaf.pub'), leaf.publicPem, 0o600);
  // Last: its presence means the rest is complete.
  writeAtomic(join(dir, 'ca.crt'), forge.pki.certificateToPem(cert), 0o644);
};

/** The CA of this install, created on first use. */
export const ensureCa = async (dataDir: string): Promise<EgressCa> => {
  const dir = join(dataDir, 'egress-ca');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (!existsSync(join(dir, 'ca.crt'))) createCa(await loadForge(), dir);
  const certPem = readFileSync(join(dir, 'ca.crt'), 'utf8');
  let signer: { caCert: forgeModule.pki.Certificate; caKey: forgeModule.pki.rsa.PrivateKey; leafPub: forgeModule.pki.rsa.PublicKey; leafKey: string } | null = null;
  const cache = new Map<string, { key: string; cert: string }>();
  const leafFor = async (host: string) => {
    const hit = cache.get(host);
    if (hit) return hit;
    const forge = await loadForge();
    signer ??= {
      caCert: forge.pki.certificateFromPem(certPem),
      caKey: forge.pki.privateKeyFromPem(readFileSync(join(dir, 'ca.key'), 'utf8')),
      leafPub: forge.pki.publicKeyFromPem(readFileSync(join(dir, 'leaf.pub'), 'utf8')),
      leafKey: readFileSync(join(dir, 'leaf.key'), 'utf8'),
    };
    const cert = forge.pki.createCertificate();
    cert.publicKey = signer.leafPub;
    cert.serialNumber = `01${createHash('sha256').update(host).update(randomBytes(8)).digest('hex').slice(0, 30)}`;
    cert.validity.notBefore = new Date(Date.now() - 86_400_000);
    cert.validity.notAfter = new Date(Date.now() + 90 * 86_400_000);
    cert.setSubject([{ name: 'commonName', value: host }]);
    cert.setIssuer(signer.caCert.subject.attributes);
    const ip = /^\d+\.\d+\.\d+\.\d+$/.test(host);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [ip ? { type: 7, ip: host } : { type: 2, value: host }] },
    ]);
    cert.sign(signer.caKey, forge.md.sha256.create());
    const out = { key: signer.leafKey, cert: `${forge.pki.certificateToPem(cert)}${certPem}` };
    cache.set(host, out);
    return out;
  };
  return { dir, certPem, leafFor };
};
