// Optional, read-only: ask Railway's API for the names behind ids that are not known locally.
// Runs only when policy sets resolve.network; every query is a `query` (never a mutation) under a deadline.

export interface LookupIds {
  projectId?: string;
  environmentId?: string;
  serviceId?: string;
  volumeId?: string;
  /** Project to search for volumeId (there is no top-level volume query). */
  volumeProjectId?: string;
}

export interface LookupNames {
  project?: string;
  environment?: string;
  service?: string;
  volume?: string;
  /** Environments the volume has instances in. */
  volumeEnvironments?: string[];
  volumeProject?: string;
}

export interface LookupAuth {
  /** `Authorization` (value `Bearer …`) or `project-access-token`. */
  header: string;
  value: string;
}

export interface LookupOptions {
  endpoint: string;
  timeoutMs: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

const QUERIES = {
  project: 'query BlastgateProject($id: String!) { project(id: $id) { name } }',
  environment: 'query BlastgateEnvironment($id: String!) { environment(id: $id) { name } }',
  service: 'query BlastgateService($id: String!) { service(id: $id) { name } }',
  volumes:
    'query BlastgateVolumes($id: String!) { project(id: $id) { name volumes { edges { node { id name volumeInstances { edges { node { environment { name } } } } } } } } }',
} as const;

const post = async (query: string, id: string, auth: LookupAuth, opts: LookupOptions, signal: AbortSignal): Promise<unknown> => {
  const res = await (opts.fetch ?? fetch)(opts.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [auth.header]: auth.value },
    body: JSON.stringify({ query, variables: { id } }),
    signal,
  });
  if (!res.ok) return undefined;
  return ((await res.json()) as { data?: unknown }).data;
};

type Edges<T> = { edges?: Array<{ node?: T }> };
interface VolumesData {
  project?: { name?: string; volumes?: Edges<{ id?: string; name?: string; volumeInstances?: Edges<{ environment?: { name?: string } }> }> };
}

/** Names for the ids; anything that fails or times out is simply left out. */
export const lookupRailwayNames = async (ids: LookupIds, auth: LookupAuth, opts: LookupOptions): Promise<LookupNames> => {
  const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]) : AbortSignal.timeout(opts.timeoutMs);
  const out: LookupNames = {};
  const nameOf = (data: unknown, field: string): string | undefined => {
    const v = (data as Record<string, { name?: unknown } | undefined> | undefined)?.[field]?.name;
    return typeof v === 'string' ? v : undefined;
  };
  const safely = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch {
      // best effort: a failed lookup leaves the id unnamed
    }
  };
  await Promise.all([
    ids.projectId && safely(async () => { out.project = nameOf(await post(QUERIES.project, ids.projectId!, auth, opts, signal), 'project'); }),
    ids.environmentId && safely(async () => { out.environment = nameOf(await post(QUERIES.environment, ids.environmentId!, auth, opts, signal), 'environment'); }),
    ids.serviceId && safely(async () => { out.service = nameOf(await post(QUERIES.service, ids.serviceId!, auth, opts, signal), 'service'); }),
    ids.volumeId && ids.volumeProjectId && safely(async () => {
      const data = (await post(QUERIES.volumes, ids.volumeProjectId!, auth, opts, signal)) as VolumesData | undefined;
      const volume = data?.project?.volumes?.edges?.map((e) => e.node).find((n) => n?.id === ids.volumeId);
      if (!volume) return;
      out.volume = volume.name;
      out.volumeProject = data?.project?.name;
      out.volumeEnvironments = (volume.volumeInstances?.edges ?? []).flatMap((e) => (e.node?.environment?.name ? [e.node.environment.name] : []));
    }),
  ]);
  for (const key of Object.keys(out) as Array<keyof LookupNames>) if (out[key] === undefined) delete out[key];
  return out;
};
