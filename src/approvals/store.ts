// Pending requests, approvals, denials and used markers, as files under $XDG_STATE_HOME/blastgate/approvals.
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Paths } from '../config/paths.js';
import type { PanelData } from '../confirm/panel.js';
import { isRequestId, newNonce, newRequestId } from './ids.js';

export interface PendingRequest {
  v: 1;
  id: string;
  nonce: string;
  subject: string;
  createdAt: string;
  expiresAt: string;
  /** The process that asked (informational: it may be gone and a re-run may pick the approval up). */
  pid: number;
  panel: PanelData;
  /**
   * argv with secrets masked using the ASKING process's environment (its tokens), for audit records
   * written later by `approve`/`deny`, whose own environment does not hold those values. Log-only:
   * never shown as the command being approved (the panel shows the bound argv).
   */
  auditArgv: string[];
}

export interface Approval {
  v: 1;
  id: string;
  nonce: string;
  subject: string;
  approvedAt: string;
  expiresAt: string;
  /** Fingerprint of the key that signed, and where that key lives. */
  key: string;
  keyOrigin: 'system' | 'user';
  signature: string;
  panel: PanelData;
}

export interface Denial {
  v: 1;
  id: string;
  deniedAt: string;
}

type Box = 'pending' | 'approved' | 'denied' | 'used';

export const approvalsDir = (paths: Paths): string => join(paths.stateDir, 'approvals');
const boxDir = (paths: Paths, box: Box) => join(approvalsDir(paths), box);

const ensure = (paths: Paths, box: Box): string => {
  const dir = boxDir(paths, box);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
};

const writeWhole = (path: string, data: unknown, flags: 'wx' | 'w'): void => {
  const fd = openSync(path, flags, 0o600);
  try {
    writeSync(fd, `${JSON.stringify(data, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/** Why: readers must never see half a file, so writers write a temp file and rename it into place. */
const publish = (dir: string, name: string, data: unknown): string => {
  const path = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  writeWhole(tmp, data, 'w');
  renameSync(tmp, path);
  return path;
};

const readJson = <T>(path: string): T | null => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
};

const listJson = <T>(dir: string): T[] => {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).flatMap((n) => readJson<T>(join(dir, n)) ?? []);
};

export const pendingPath = (paths: Paths, id: string) => join(boxDir(paths, 'pending'), `${id}.json`);
export const approvalPath = (paths: Paths, id: string) => join(boxDir(paths, 'approved'), `${id}.json`);
export const denialPath = (paths: Paths, id: string) => join(boxDir(paths, 'denied'), `${id}.json`);

/** Why: every pending request on disk, expired ones included (callers filter by time). */
export const listPending = (paths: Paths): PendingRequest[] => listJson<PendingRequest>(boxDir(paths, 'pending'));
export const listApprovals = (paths: Paths): Approval[] => listJson<Approval>(boxDir(paths, 'approved'));

export const readPending = (paths: Paths, id: string): PendingRequest | null => (isRequestId(id) ? readJson<PendingRequest>(pendingPath(paths, id)) : null);
export const readApproval = (paths: Paths, id: string): Approval | null => (isRequestId(id) ? readJson<Approval>(approvalPath(paths, id)) : null);
export const readDenial = (paths: Paths, id: string): Denial | null => (isRequestId(id) ? readJson<Denial>(denialPath(paths, id)) : null);

/** Why: a gated command that needs a human leaves this behind for `blastgate approve <id>`. */
export const createPending = (paths: Paths, panel: PanelData, subject: string, ttlSeconds: number, auditArgv: string[], now = new Date()): PendingRequest => {
  const dir = ensure(paths, 'pending');
  for (let attempt = 0; attempt < 8; attempt++) {
    const req: PendingRequest = {
      v: 1,
      id: newRequestId(),
      nonce: newNonce(),
      subject,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
      pid: process.pid,
      panel,
      auditArgv,
    };
    // Claim the id first (O_EXCL), then publish the content by rename so no reader sees it half-written.
    try {
      closeSync(openSync(join(dir, `.${req.id}.claim`), 'wx', 0o600));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    publish(dir, `${req.id}.json`, req);
    rmSync(join(dir, `.${req.id}.claim`), { force: true });
    return req;
  }
  throw new Error('could not allocate a request id');
};

export const removePending = (paths: Paths, id: string): void => rmSync(pendingPath(paths, id), { force: true });

export const writeApproval = (paths: Paths, approval: Approval): string => publish(ensure(paths, 'approved'), `${approval.id}.json`, approval);
export const writeDenial = (paths: Paths, denial: Denial): string => publish(ensure(paths, 'denied'), `${denial.id}.json`, denial);

export type ConsumeResult = 'consumed' | 'already-used';

/**
 * Why: single use. The verified approval is written to a temp file and link(2)ed to `used/<nonce>`;
 * link fails with EEXIST when the marker exists, so of two racing processes exactly one wins. The
 * marker is keyed by the signed nonce, so copying the approval file back does not make it usable again.
 */
export const consumeApproval = (paths: Paths, approval: Approval): ConsumeResult => {
  const dir = ensure(paths, 'used');
  const used = join(dir, `${approval.nonce}.json`);
  const tmp = join(dir, `.${approval.nonce}.${process.pid}.${Date.now()}.tmp`);
  writeWhole(tmp, { ...approval, usedAt: new Date().toISOString(), usedBy: process.pid }, 'wx');
  try {
    linkSync(tmp, used);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'already-used';
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
  rmSync(approvalPath(paths, approval.id), { force: true });
  return 'consumed';
};

export const isUsed = (paths: Paths, nonce: string): boolean => existsSync(join(boxDir(paths, 'used'), `${nonce}.json`));

/** Why: keep the state dir small; nothing past its expiry can be approved or used anyway. */
export const sweepExpired = (paths: Paths, now = new Date()): void => {
  const t = now.getTime();
  const sweep = (box: Box, expiry: (data: { expiresAt?: string; deniedAt?: string }) => number) => {
    const dir = boxDir(paths, box);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      if (!n.endsWith('.json') || n.startsWith('.')) continue;
      const data = readJson<{ expiresAt?: string; deniedAt?: string }>(join(dir, n));
      if (data && expiry(data) < t) rmSync(join(dir, n), { force: true });
    }
  };
  const at = (d: { expiresAt?: string }) => Date.parse(d.expiresAt ?? '') || 0;
  sweep('pending', at);
  sweep('approved', at);
  // A used marker must outlive its approval's expiry, or a replay would find it gone.
  sweep('used', (d) => at(d) + 60_000);
  sweep('denied', (d) => (Date.parse(d.deniedAt ?? '') || 0) + 24 * 3600_000);
  // The hook's once-per-approval markers are empty: judged by age, kept a day (far past any TTL).
  const passed = join(approvalsDir(paths), 'hook-passed');
  let markers: string[] = [];
  try {
    markers = readdirSync(passed);
  } catch {
    // none yet
  }
  for (const n of markers) {
    try {
      if (statSync(join(passed, n)).mtimeMs + 24 * 3600_000 < t) rmSync(join(passed, n), { force: true });
    } catch {
      // gone meanwhile
    }
  }
};
