// Analyzer registry: each analyzer (and its heavy parser) is imported only when a rule needs it.
import type { Analyzer } from './types.js';

const loaders: Record<string, () => Promise<Analyzer>> = {
  sql: async () => (await import('./sql.js')).analyzeSql,
  graphql: async () => (await import('./graphql.js')).analyzeGraphql,
  redis: async () => (await import('./redis.js')).analyzeRedis,
  mongo: async () => (await import('./mongo.js')).analyzeMongo,
  mysql: async () => (await import('./dialect-sql.js')).analyzeMysql,
  sqlite: async () => (await import('./dialect-sql.js')).analyzeSqlite,
};

/** Names a ruleset may reference (validated at load, so a typo fails early). */
export const ANALYZER_NAMES: readonly string[] = Object.keys(loaders);

export const loadAnalyzer = async (name: string): Promise<Analyzer> => {
  const load = loaders[name];
  if (!load) throw new Error(`unknown analyzer ${name}`);
  return load();
};
