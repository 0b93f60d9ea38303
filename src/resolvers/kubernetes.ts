// Blast radius for kubectl and helm: which kubeconfig, context, cluster, API server and namespace the
// command will use — read from flags, KUBECONFIG / HELM_* and the kubeconfig file itself (no cluster call).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from '../types.js';
import { flagValue } from './flag-value.js';
import type { Resolver } from './types.js';

type Env = Record<string, string | undefined>;
interface KubeConfig {
  'current-context'?: string;
  contexts?: Array<{ name?: string; context?: { cluster?: string; namespace?: string; user?: string } }>;
  clusters?: Array<{ name?: string; cluster?: { server?: string } }>;
}

const kubeconfigFiles = (argv: string[], env: Env): string[] => {
  const flag = flagValue(argv, ['--kubeconfig']);
  if (flag) return [flag];
  if (env.KUBECONFIG) return env.KUBECONFIG.split(':').filter(Boolean);
  return env.HOME ? [join(env.HOME, '.kube', 'config')] : [];
};

/** Merge the files the way kubectl does for what we need: the first file to set a value wins. */
const readKubeconfig = async (files: string[]): Promise<{ config: KubeConfig; read: string[]; problems: string[] }> => {
  const { parse } = await import('yaml');
  const config: Required<Pick<KubeConfig, 'contexts' | 'clusters'>> & KubeConfig = { contexts: [], clusters: [] };
  const read: string[] = [];
  const problems: string[] = [];
  for (const file of files) {
    let data: KubeConfig;
    try {
      data = (parse(readFileSync(file, 'utf8'), { maxAliasCount: 50 }) ?? {}) as KubeConfig;
    } catch (err) {
      problems.push(`${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message.split('\n')[0]}`);
      continue;
    }
    read.push(file);
    config['current-context'] ??= data['current-context'];
    config.contexts.push(...(data.contexts ?? []));
    config.clusters.push(...(data.clusters ?? []));
  }
  return { config, read, problems };
};

export const resolveKubernetes: Resolver = async (inv, matches, ctx) => {
  const argv = inv.argv;
  const isHelm = matches.some((m) => m.tool === 'helm');
  const { config, read, problems } = await readKubeconfig(kubeconfigFiles(argv, ctx.env));
  const contextName = (isHelm ? flagValue(argv, ['--kube-context']) ?? ctx.env.HELM_KUBECONTEXT : flagValue(argv, ['--context'])) ?? config['current-context'];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  const clusterName = flagValue(argv, isHelm ? [] : ['--cluster']) ?? context?.cluster;
  const server = flagValue(argv, isHelm ? ['--kube-apiserver'] : ['-s', '--server']) ?? config.clusters?.find((c) => c.name === clusterName)?.cluster?.server;
  const namespace = flagValue(argv, ['-n', '--namespace']) ?? (isHelm ? ctx.env.HELM_NAMESPACE : undefined) ?? context?.namespace ?? 'default';
  const allNamespaces = argv.includes('-A') || argv.includes('--all-namespaces');
  const target: Target = {
    kind: 'kubernetes',
    ...(contextName ? { name: contextName } : {}),
    production: 'unknown',
    fields: {
      context: contextName ?? null,
      cluster: clusterName ?? null,
      server: server ?? null,
      namespace: allNamespaces ? 'every namespace (-A)' : namespace,
    },
    notes: [
      ...(read.length ? [`kubeconfig: ${read.join(', ')}`] : ['no kubeconfig found: the context is unknown']),
      ...problems.map((p) => `kubeconfig not read: ${p}`),
    ],
    unresolved: contextName ? [] : ['context'],
  };
  return target;
};
