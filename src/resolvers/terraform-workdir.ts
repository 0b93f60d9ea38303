// What a terraform working directory says about itself without running anything: the selected
// workspace, the backend it was initialised with, and where a local backend keeps its state.
import { readdirSync, statSync } from 'node:fs';
import { readRegularText } from '../payload/read.js';
import { isAbsolute, join, relative, resolve } from 'node:path';

export interface Workdir {
  dir: string;
  workspace: string;
  /** Where the workspace name came from. */
  workspaceFrom: 'TF_WORKSPACE' | '.terraform/environment' | 'backend' | 'default';
  /** Backend type ('local', 's3', 'gcs', 'cloud' …). */
  backend: string;
  /** False when the configuration names a backend but `terraform init` has not recorded it. */
  initialized: boolean;
  /** Backend settings safe to show (bucket, key, organization …); never credentials. */
  backendFields: Record<string, string>;
  /** Local backend: the state file of the workspace, relative to dir when inside it. */
  stateFile?: string;
}

const readText = (file: string): string | undefined => {
  try {
    return readRegularText(file);
  } catch {
    return undefined;
  }
};

// Settings that name where state lives and help tell prod from staging; anything else may hold a secret.
const SHOWN_SETTINGS = [
  'bucket', 'key', 'prefix', 'workspace_key_prefix', 'path', 'workspace_dir', 'storage_account_name', 'container_name',
  'resource_group_name', 'organization', 'hostname', 'schema_name', 'region', 'project',
];

const backendFieldsOf = (config: Record<string, unknown>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const k of SHOWN_SETTINGS) {
    const v = config[k];
    if (typeof v === 'string' && v) out[k] = v;
  }
  const ws = config.workspaces;
  const first = Array.isArray(ws) ? ws[0] : ws;
  if (first && typeof first === 'object') {
    const w = first as Record<string, unknown>;
    if (typeof w.name === 'string' && w.name) out['workspace name'] = w.name;
    if (typeof w.prefix === 'string' && w.prefix) out['workspace prefix'] = w.prefix;
  }
  return out;
};

/** The `backend "x"` / `cloud {}` block of the configuration, for a dir that was never initialised. */
const configuredBackend = (dir: string): string | undefined => {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.tf')).slice(0, 200);
  } catch {
    return undefined;
  }
  for (const n of names) {
    const text = readText(join(dir, n));
    if (!text || text.length > 2_000_000) continue;
    const m = /^\s*backend\s+"([A-Za-z0-9_-]+)"/m.exec(text) ?? (/^\s*cloud\s*\{/m.test(text) ? ['', 'cloud'] : null);
    if (m) return m[1];
  }
  return undefined;
};

const showPath = (dir: string, file: string): string => {
  const abs = resolve(dir, file);
  const rel = relative(dir, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
};

/** Why: the panel needs workspace and backend even when terraform itself cannot be asked in time. */
export const readWorkdir = (dir: string, env: Record<string, string | undefined>, stateFlag?: string): Workdir => {
  const dataDir = resolve(dir, env.TF_DATA_DIR || '.terraform');
  let backend = 'local';
  let initialized = true;
  let config: Record<string, unknown> = {};
  const recorded = readText(join(dataDir, 'terraform.tfstate'));
  if (recorded !== undefined) {
    try {
      const b = (JSON.parse(recorded) as { backend?: { type?: unknown; config?: unknown } }).backend;
      if (b && typeof b.type === 'string') backend = b.type;
      if (b && b.config && typeof b.config === 'object') config = b.config as Record<string, unknown>;
    } catch {
      // unreadable: treated as not initialised below
      initialized = false;
    }
  } else {
    const named = configuredBackend(dir);
    if (named && named !== 'local') {
      backend = named;
      initialized = false;
    }
  }
  const backendFields = backendFieldsOf(config);

  let workspace = 'default';
  let workspaceFrom: Workdir['workspaceFrom'] = 'default';
  const selected = readText(join(dataDir, 'environment'))?.trim();
  if (env.TF_WORKSPACE) {
    workspace = env.TF_WORKSPACE;
    workspaceFrom = 'TF_WORKSPACE';
  } else if (selected) {
    workspace = selected;
    workspaceFrom = '.terraform/environment';
  } else if (backendFields['workspace name']) {
    workspace = backendFields['workspace name'];
    workspaceFrom = 'backend';
  }

  const out: Workdir = { dir, workspace, workspaceFrom, backend, initialized, backendFields };
  if (backend === 'local') {
    const path = stateFlag ?? (typeof config.path === 'string' && config.path ? config.path : undefined);
    const wsDir = typeof config.workspace_dir === 'string' && config.workspace_dir ? config.workspace_dir : 'terraform.tfstate.d';
    const file = workspace === 'default' || stateFlag ? (path ?? 'terraform.tfstate') : join(wsDir, workspace, 'terraform.tfstate');
    out.stateFile = showPath(dir, file);
    delete out.backendFields.path;
    delete out.backendFields.workspace_dir;
  }
  return out;
};

/** Whether a directory exists (a `-chdir` to nowhere makes terraform fail before doing anything). */
export const isDir = (dir: string): boolean => {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
};
