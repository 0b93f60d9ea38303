// `blastgate policy sign [FILE]` / `policy edit [FILE]`: the human vouches for a user policy that loosens
// the gate, with the approval passphrase typed on /dev/tty. The signature (FILE.sig) covers the file's
// exact bytes and the policy they parse to; any later change, or a new passphrase, voids it.
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { keyFingerprint } from '../approvals/keys.js';
import { configFileIn, loosensAnything, parseConfigText, readConfigText } from '../config/policy.js';
import type { TtyPort } from '../confirm/tty-prompt.js';
import { loadEngine } from '../engine.js';
import { ConfigError, DeniedError, UsageError } from '../errors.js';
import { appendAudit } from '../stages/audit.js';
import { requirePassphrase } from '../trust/admin-gate.js';
import { signatureFileOf, signPolicy } from '../trust/signature.js';

export interface PolicySignOptions {
  file?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  out?: (line: string) => void;
  openTty?: () => TtyPort | null;
}

const writeAtomically = (path: string, text: string): void => {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
};

export const runPolicySign = async (opts: PolicySignOptions = {}): Promise<number> => {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const engine = await loadEngine({ env: opts.env, cwd: opts.cwd, warn: false });
  const file = resolve(engine.cwd, opts.file ?? configFileIn(engine.paths.configDir)?.file ?? join(engine.paths.configDir, 'config.yaml'));
  if (dirname(file) !== resolve(engine.paths.configDir)) {
    throw new UsageError(`${file}: only the user config in ${engine.paths.configDir} may loosen with a signature (project and other files only ever tighten)`);
  }
  const text = readConfigText(file);
  if (text === null) throw new UsageError(`${file}: no such file`);
  const policy = await parseConfigText(text, file);
  const { unknownRuleIds } = await import('../config/rule-ids.js');
  const unknown = unknownRuleIds({ ...engine.policy, layers: [{ origin: 'user', file, data: policy, canLoosen: false }] }, engine.index)[0];
  if (unknown) throw new ConfigError(unknown.message);
  const loosening = loosensAnything(policy);
  out(loosening ? `${file} loosens the gate (first: ${loosening}); signing lets it apply.` : `${file} only tightens; a signature is not needed, signing anyway.`);
  const signer = await requirePassphrase({ paths: engine.paths, action: 'blastgate policy sign', ...(opts.openTty ? { openTty: opts.openTty } : {}) });
  if (!signer) throw new UsageError('no approval passphrase is set, so nothing can be signed: a human runs `blastgate passphrase set` first');
  const fingerprint = keyFingerprint(signer.trusted.file);
  const sigFile = signatureFileOf(file);
  writeAtomically(sigFile, `${JSON.stringify(signPolicy(text, policy, signer.key, fingerprint), null, 2)}\n`);
  out(`signed with approval key ${fingerprint}: ${sigFile}`);
  await appendAudit(engine, {
    kind: 'approval',
    argv: ['blastgate', 'policy', 'sign', file],
    cwd: engine.cwd,
    tool: 'blastgate',
    rules: [],
    target: null,
    decision: 'policy-signed',
    reason: `key ${fingerprint}${loosening ? `; loosens ${loosening}` : ''}`,
  });
  return 0;
};

/** Open the user config in $VISUAL/$EDITOR (vi), then sign it. */
export const runPolicyEdit = async (opts: PolicySignOptions = {}): Promise<number> => {
  const env = opts.env ?? process.env;
  const engine = await loadEngine({ env, cwd: opts.cwd, warn: false });
  const file = resolve(engine.cwd, opts.file ?? configFileIn(engine.paths.configDir)?.file ?? join(engine.paths.configDir, 'config.yaml'));
  const editor = env.VISUAL || env.EDITOR || 'vi';
  const r = spawnSync('sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit', env: env as NodeJS.ProcessEnv });
  if (r.status !== 0) throw new DeniedError(`${editor} exited with ${r.status ?? r.signal}; not signed`);
  return runPolicySign({ ...opts, file });
};
