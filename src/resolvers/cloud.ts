// Blast radius for the cloud CLIs, from flags, environment and their local config files (no API call):
// aws — profile and region (account only with resolve.network, via sts get-caller-identity);
// gcloud / gsutil — project and account of the active configuration; az — subscription and resource group.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from '../types.js';
import { flagValue } from './flag-value.js';
import { readIni } from './ini-file.js';
import type { Resolver } from './types.js';

const home = (env: Record<string, string | undefined>) => env.HOME ?? '';

export const resolveAws: Resolver = async (inv, _matches, ctx) => {
  const env = ctx.env;
  const profile = flagValue(inv.argv, ['--profile']) ?? env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE ?? 'default';
  const configFile = env.AWS_CONFIG_FILE ?? join(home(env), '.aws', 'config');
  const config = readIni(configFile);
  const section = config?.[profile === 'default' ? 'default' : `profile ${profile}`];
  const region = flagValue(inv.argv, ['--region']) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? section?.region;
  const fields: Target['fields'] = { profile, region: region ?? null };
  if (section?.sso_account_id) fields.account = section.sso_account_id;
  else if (section?.role_arn) fields.account = /arn:aws[\w-]*:iam::(\d+):/.exec(section.role_arn)?.[1] ?? null;
  const notes: string[] = [];
  if (env.AWS_ACCESS_KEY_ID) notes.push('credentials come from AWS_ACCESS_KEY_ID in the environment (the profile may not apply)');
  if (!fields.account && ctx.network) {
    try {
      const { execa } = await import('execa');
      const r = await execa('aws', ['sts', 'get-caller-identity', '--output', 'json', '--profile', profile], { env, reject: false, timeout: ctx.timeoutMs, cancelSignal: ctx.signal });
      fields.account = (JSON.parse(r.stdout) as { Account?: string }).Account ?? null;
    } catch {
      notes.push('account: sts get-caller-identity did not answer');
    }
  }
  return { kind: 'aws', name: profile, production: 'unknown', fields, notes, unresolved: fields.account ? [] : ['account'] };
};

/** gcloud's active configuration: CLOUDSDK_ACTIVE_CONFIG_NAME, else the active_config file, else "default". */
const gcloudConfig = (env: Record<string, string | undefined>) => {
  const dir = env.CLOUDSDK_CONFIG ?? join(home(env), '.config', 'gcloud');
  let name = env.CLOUDSDK_ACTIVE_CONFIG_NAME;
  if (!name) {
    try {
      name = readFileSync(join(dir, 'active_config'), 'utf8').trim();
    } catch {
      name = 'default';
    }
  }
  return { name: name || 'default', ini: readIni(join(dir, 'configurations', `config_${name || 'default'}`)) };
};

export const resolveGcloud: Resolver = async (inv, _matches, ctx) => {
  const env = ctx.env;
  const conf = gcloudConfig(env);
  const project = flagValue(inv.argv, ['--project']) ?? env.CLOUDSDK_CORE_PROJECT ?? conf.ini?.core?.project ?? env.GOOGLE_CLOUD_PROJECT;
  const account = flagValue(inv.argv, ['--account']) ?? env.CLOUDSDK_CORE_ACCOUNT ?? conf.ini?.core?.account;
  return {
    kind: 'gcloud',
    ...(project ? { name: project } : {}),
    production: 'unknown',
    fields: { project: project ?? null, account: account ?? null, configuration: conf.name },
    unresolved: project ? [] : ['project'],
  };
};

export const resolveAzure: Resolver = async (inv, _matches, ctx) => {
  const env = ctx.env;
  let subscription = flagValue(inv.argv, ['--subscription']) ?? env.AZURE_SUBSCRIPTION_ID;
  if (!subscription) {
    try {
      const profile = JSON.parse(readFileSync(join(env.AZURE_CONFIG_DIR ?? join(home(env), '.azure'), 'azureProfile.json'), 'utf8').replace(/^\uFEFF/, '')) as { subscriptions?: Array<{ name?: string; id?: string; isDefault?: boolean }> };
      const current = profile.subscriptions?.find((s) => s.isDefault);
      subscription = current ? `${current.name ?? ''} (${current.id ?? '?'})`.trim() : undefined;
    } catch {
      // no profile: unknown
    }
  }
  const group = flagValue(inv.argv, ['-g', '--resource-group']) ?? (inv.argv.includes('group') ? flagValue(inv.argv, ['-n', '--name']) : undefined);
  return {
    kind: 'azure',
    ...(group ? { name: group } : {}),
    production: 'unknown',
    fields: { subscription: subscription ?? null, 'resource group': group ?? null, name: flagValue(inv.argv, ['-n', '--name']) ?? null },
    unresolved: subscription ? [] : ['subscription'],
  };
};
