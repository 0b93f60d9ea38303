// Resolver registry by ruleset tool name; each resolver loads only when its tool matched.
import type { Resolver } from './types.js';

const loaders: Record<string, () => Promise<Resolver>> = {};

/** Register a resolver loader (done by each resolver's entry below). */
export const resolverFor = async (tool: string): Promise<Resolver | undefined> => {
  const load = loaders[tool];
  return load ? load() : undefined;
};
