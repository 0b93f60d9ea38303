// Blast radius read from the tools' own local configuration: kubeconfig contexts, helm's namespace, AWS
// profiles, gcloud configurations, docker contexts, fly.toml, heroku git remotes, git branches. A name
// that says production raises the verdict, as the README promises.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blastgate, sandbox } from '../helpers/cli.js';

const boxes: string[] = [];
afterAll(() => boxes.forEach((d) => rmSync(d, { recursive: true, force: true })));

const world = (files: Record<string, string>) => {
  const box = sandbox();
  boxes.push(box.root);
  for (const [rel, text] of Object.entries(files)) {
    const file = join(box.env.HOME!, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
  }
  return box;
};

const verdict = (box: ReturnType<typeof world>, argv: string[], cwd?: string) => {
  const r = blastgate(['check', '--json', '--', ...argv], { env: box.env, cwd: cwd ?? box.env.HOME });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { decision: string; severity: string; target: { fields: Record<string, unknown>; production: unknown } | null; blast: { production: unknown } };
};

const KUBECONFIG = `apiVersion: v1
current-context: prod-eu
contexts:
- name: prod-eu
  context: { cluster: gke-prod, namespace: shop, user: admin }
- name: dev
  context: { cluster: kind-dev, user: me }
clusters:
- name: gke-prod
  cluster: { server: https://10.0.0.1 }
- name: kind-dev
  cluster: { server: https://127.0.0.1:6443 }
`;

describe('resolvers from local configuration', () => {
  it('kubectl: the kubeconfig current context, its cluster, server and namespace; production by name', () => {
    const box = world({ '.kube/config': KUBECONFIG });
    const v = verdict(box, ['kubectl', 'delete', 'deployment', 'api']);
    expect(v.target?.fields).toMatchObject({ context: 'prod-eu', cluster: 'gke-prod', server: 'https://10.0.0.1', namespace: 'shop' });
    expect(v.blast.production).toBe(true);
    const dev = verdict(box, ['kubectl', '--context', 'dev', '-n', 'tmp', 'delete', 'deployment', 'api']);
    expect(dev.target?.fields).toMatchObject({ context: 'dev', cluster: 'kind-dev', namespace: 'tmp' });
    expect(dev.blast.production).not.toBe(true);
  });

  it('helm: --kube-context and HELM_NAMESPACE', () => {
    const box = world({ '.kube/config': KUBECONFIG });
    box.env.HELM_NAMESPACE = 'payments';
    const v = verdict(box, ['helm', '--kube-context', 'dev', 'uninstall', 'shop']);
    expect(v.target?.fields).toMatchObject({ context: 'dev', namespace: 'payments' });
  });

  it('aws: profile from AWS_PROFILE, region and account from ~/.aws/config', () => {
    const box = world({ '.aws/config': '[profile prod-admin]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/admin\n' });
    box.env.AWS_PROFILE = 'prod-admin';
    const v = verdict(box, ['aws', 'rds', 'delete-db-instance', '--db-instance-identifier', 'shop']);
    expect(v.target?.fields).toMatchObject({ profile: 'prod-admin', region: 'eu-west-1', account: '123456789012' });
    expect(v.blast.production).toBe(true);
  });

  it('gcloud: the active configuration names the project', () => {
    const box = world({ '.config/gcloud/active_config': 'work\n', '.config/gcloud/configurations/config_work': '[core]\nproject = shop-production\naccount = me@example.com\n' });
    const v = verdict(box, ['gcloud', 'sql', 'instances', 'delete', 'shop-db']);
    expect(v.target?.fields).toMatchObject({ project: 'shop-production', configuration: 'work' });
    expect(v.blast.production).toBe(true);
  });

  it('docker: the context from config.json, its endpoint from the context store', () => {
    const box = world({ '.docker/config.json': '{"currentContext":"db-host"}' });
    const meta = join('.docker/contexts/meta', createHash('sha256').update('db-host').digest('hex'), 'meta.json');
    mkdirSync(join(box.env.HOME!, meta, '..'), { recursive: true });
    writeFileSync(join(box.env.HOME!, meta), JSON.stringify({ Name: 'db-host', Endpoints: { docker: { Host: 'ssh://deploy@db1.prod' } } }));
    const v = verdict(box, ['docker', 'volume', 'rm', 'pgdata']);
    expect(v.target?.fields).toMatchObject({ context: 'db-host', daemon: 'ssh://deploy@db1.prod' });
  });

  it('fly: the app from fly.toml; heroku: the app from the heroku git remote', () => {
    const box = world({ 'app/fly.toml': 'app = "shop-prod"\nprimary_region = "ams"\n' });
    const app = join(box.env.HOME!, 'app');
    expect(verdict(box, ['fly', 'volumes', 'destroy', 'vol_1'], app).target?.fields).toMatchObject({ app: 'shop-prod' });
    execFileSync('git', ['init', '-q', app]);
    execFileSync('git', ['-C', app, 'remote', 'add', 'heroku', 'https://git.heroku.com/shop-live.git']);
    expect(verdict(box, ['heroku', 'pg:reset'], app).target?.fields).toMatchObject({ app: 'shop-live' });
  });

  it('git: the branch and the pushed remote, with credentials in the URL masked', () => {
    const box = world({});
    const repo = join(box.env.HOME!, 'repo');
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    execFileSync('git', ['-C', repo, 'remote', 'add', 'origin', 'https://user:tok@github.com/acme/shop.git']);
    const v = verdict(box, ['git', 'push', '--force', 'origin', 'main'], repo);
    expect(v.target?.fields).toMatchObject({ branch: 'main', remote: 'origin', 'remote url': 'https://***@github.com/acme/shop.git' });
  });
});
