// The broker's egress door: the proxy on its socket, judging with the broker's engine (actor agent).
import type { Engine } from '../engine.js';
import { guard } from '../pipeline.js';
import { curlFor } from '../inline/types.js';
import type { EnvSecret } from '../sandbox/credentials.js';
import type { EgressCa } from './ca.js';
import { judgeRequest } from './judge.js';
import { startEgressProxy, type EgressProxy } from './proxy.js';
import { egressSettings, withProfile } from './settings.js';

export interface StartEgress {
  socketPath: string;
  ca: EgressCa;
  engine: Engine;
  secrets: EnvSecret[];
  /** The workspace: the directory approvals of wire requests are bound to. */
  cwd: string;
  /** The sandbox profile's egress section (a strict profile narrows the policy). */
  profile?: { default: 'allow' | 'deny'; allow: string[] };
}

export const startEgress = async (o: StartEgress): Promise<EgressProxy> => {
  const base = egressSettings(o.engine.policy, o.engine.index);
  const settings = o.profile ? withProfile(base, o.profile) : base;
  const deps = { engine: o.engine, settings, secrets: o.secrets, cwd: o.cwd };
  const proxy = await startEgressProxy({
    socketPath: o.socketPath,
    settings,
    ca: o.ca,
    judge: (r) => judgeRequest(r, deps),
    onBlocked: (host, port) => {
      void import('../stages/audit.js').then(({ appendAudit }) =>
        appendAudit(o.engine, { kind: 'decision', argv: ['connect', `${host}:${port}`], cwd: o.cwd, decision: 'denied', reason: `egress to ${host}:${port} is not allowed` }),
      );
    },
  });
  // Warm the analyzers (the GraphQL parser loads on first use) while the agent starts.
  void guard({ kind: 'argv', argv: curlFor('POST', 'https://warm.invalid/graphql', '{"query":"query { me { name } }"}', { 'Content-Type': 'application/json' }) }, {
    env: o.engine.env,
    cwd: o.cwd,
    actor: o.engine.actor,
    index: o.engine.index,
    policy: o.engine.policy,
  }).catch(() => undefined);
  return proxy;
};
