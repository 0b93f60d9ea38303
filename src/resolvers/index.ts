// Resolver registry by ruleset tool name; each resolver loads only when its tool matched.
import type { Resolver } from './types.js';

const loaders: Record<string, () => Promise<Resolver>> = {
  terraform: () => import('./terraform.js').then((m) => m.resolveTerraform),
  terragrunt: () => import('./terragrunt.js').then((m) => m.resolveTerragrunt),
  psql: async () => (await import('./postgres.js')).resolvePostgres,
  dropdb: async () => (await import('./postgres.js')).resolvePostgres,
  dropuser: async () => (await import('./postgres.js')).resolvePostgres,
  'pg-restore': async () => (await import('./postgres.js')).resolvePostgres,
  railway: async () => (await import('./railway.js')).resolveRailway,
  curl: async () => (await import('./railway.js')).resolveRailway,
  wget: async () => (await import('./railway.js')).resolveRailway,
  httpie: async () => (await import('./railway.js')).resolveRailway,
  kubectl: async () => (await import('./kubernetes.js')).resolveKubernetes,
  helm: async () => (await import('./kubernetes.js')).resolveKubernetes,
  docker: async () => (await import('./platforms.js')).resolveDocker,
  fly: async () => (await import('./platforms.js')).resolveFly,
  heroku: async () => (await import('./platforms.js')).resolveHeroku,
  aws: async () => (await import('./cloud.js')).resolveAws,
  gcloud: async () => (await import('./cloud.js')).resolveGcloud,
  gsutil: async () => (await import('./cloud.js')).resolveGcloud,
  az: async () => (await import('./cloud.js')).resolveAzure,
  git: async () => (await import('./git.js')).resolveGit,
};

/** Register a resolver loader (done by each resolver's entry below). */
export const resolverFor = async (tool: string): Promise<Resolver | undefined> => {
  const load = loaders[tool];
  return load ? load() : undefined;
};
