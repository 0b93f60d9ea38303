// The GraphQL analyzer: request shapes (JSON, batches, forms, raw documents, httpie items, `railway api`
// words), the language (aliases, fragments, variables, operationName) and the mutation table's conditions.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeGraphql } from '../../src/analyzers/graphql.js';
import { effectOf, RAILWAY_MUTATIONS } from '../../src/analyzers/graphql-mutations.js';
import type { Payload } from '../../src/analyzers/types.js';
import { rulesFiredBy } from '../../src/rulesets/examples.js';
import { loadRulesetFile } from '../../src/rulesets/load.js';
import type { Finding } from '../../src/types.js';

const dir = mkdtempSync(join(tmpdir(), 'bg-graphql-'));
const analyze = (payloads: Payload[]): Promise<Finding[]> => analyzeGraphql(payloads, { cwd: dir, env: {}, argv: ['curl'] });
const body = (text: string, origin = '--data'): Promise<Finding[]> => analyze([{ text, origin }]);
const kindsOf = async (text: string, origin?: string) => (await body(text, origin)).map((f) => f.kind);
const json = (query: string, extra: Record<string, unknown> = {}) => JSON.stringify({ query, ...extra });

describe('request bodies', () => {
  it('the incident: a JSON body with volumeDelete names the volume and its backups', async () => {
    const [f, ...rest] = await body('{"query":"mutation { volumeDelete(volumeId: \\"vol_123\\") }"}');
    expect(rest).toEqual([]);
    expect(f!.kind).toBe('volume-delete');
    expect(f!.details).toMatchObject({ mutation: 'volumeDelete', volumeId: 'vol_123', backups: true });
    expect(f!.detail).toContain('vol_123');
  });

  it.each([
    ['JSON object', json('mutation { serviceDelete(id: "s") }')],
    ['JSON with surrounding whitespace', `\n  ${json('mutation { serviceDelete(id: "s") }')}\n`],
    ['JSON with \\u escapes in the keyword', '{"query":"\\u006dutation { serviceDelete(id: \\"s\\") }"}'],
    ['batched JSON array', `[${json('{ me { id } }')},${json('mutation { serviceDelete(id: "s") }')}]`],
    ['raw GraphQL document', 'mutation { serviceDelete(id: "s") }'],
    ['form field', 'query=mutation%20%7B%20serviceDelete(id%3A%20%22s%22)%20%7D'],
    ['multipart operations field', `operations=${encodeURIComponent(json('mutation { serviceDelete(id: "s") }'))}`],
    ['variables sent as a JSON string', json('mutation($id: String!) { serviceDelete(id: $id) }', { variables: '{"id":"s"}' })],
  ])('%s → service-delete', async (_, text) => {
    expect(await kindsOf(text)).toEqual(['service-delete']);
  });

  it('repeated form data (-d query=… -d variables=…) is one request', async () => {
    const findings = await analyze([
      { text: 'query=mutation($id: String!) { volumeDelete(volumeId: $id) }', origin: '--data' },
      { text: 'variables={"id":"vol_7"}', origin: '--data' },
    ]);
    expect(findings.map((f) => [f.kind, f.details?.volumeId])).toEqual([['volume-delete', 'vol_7']]);
  });

  it.each([
    ['a query', json('query { me { id email } }')],
    ['shorthand query', '{ me { projects { edges { node { id } } } } }'],
    ['a query whose string mentions a mutation', json('query { search(q: "mutation { volumeDelete }") { id } }')],
    ['a harmless mutation', json('mutation { serviceCreate(input: {projectId: "p"}) { id } }')],
    ['a subscription', json('subscription { deploymentLogs(deploymentId: "d") { message } }')],
    ['form data that is not GraphQL', 'name=ada&role=admin'],
    ['plain text without the keyword', 'hello'],
    ['undoing a deletion', json('mutation { projectScheduleDeleteCancel(id: "p") }')],
  ])('%s → nothing', async (_, text) => {
    expect(await body(text)).toEqual([]);
  });

  it.each([
    ['broken GraphQL', json('mutation { volumeDelete(volumeId: "v"')],
    ['broken JSON that is not GraphQL either', '{"query": "mutation { volumeDelete(volumeId: \\"v\\") }"'],
    ['JSON without a query', '{"foo":1}'],
    ['a persisted query', '{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}'],
    ['a JSON batch element that is not an object', '[1]'],
    ['a shell variable as the whole body', '$BODY'],
    ['a command substitution as the body', '$(cat mutation.json)'],
    ['curl -F query=<file', 'query=<delete.graphql'],
  ])('%s → unknown', async (_, text) => {
    expect(await kindsOf(text)).toEqual(['unknown']);
  });

  it('an unreadable payload is unknown, with the reason', async () => {
    const [f] = await analyze([{ text: null, origin: '--data @body.json', problem: 'cannot read body.json (ENOENT)' }]);
    expect(f).toMatchObject({ kind: 'unknown', detail: 'cannot read body.json (ENOENT)' });
  });
});

describe('the language', () => {
  it('aliases: the real field is judged and the alias is shown', async () => {
    const [f] = await body(json('mutation { cleanup: volumeDelete(volumeId: "v1") }'));
    expect(f!.kind).toBe('volume-delete');
    expect(f!.detail).toMatch(/^cleanup: volumeDelete/);
  });

  it.each([
    ['named fragment', 'mutation { ...Wipe } fragment Wipe on Mutation { volumeDelete(volumeId: "v") }'],
    ['fragment inside a fragment', 'mutation { ...A } fragment A on Mutation { ...B } fragment B on Mutation { volumeDelete(volumeId: "v") }'],
    ['inline fragment', 'mutation { ... on Mutation { volumeDelete(volumeId: "v") } }'],
    ['fragment defined before the operation', 'fragment Wipe on Mutation { volumeDelete(volumeId: "v") } mutation { ...Wipe }'],
  ])('%s', async (_, doc) => {
    expect(await kindsOf(json(doc))).toEqual(['volume-delete']);
  });

  it('a fragment that spreads itself does not loop', async () => {
    expect(await kindsOf(json('mutation { ...A } fragment A on Mutation { volumeDelete(volumeId: "v") ...A }'))).toEqual(['volume-delete']);
  });

  it('a spread of an undefined fragment is unknown', async () => {
    expect(await kindsOf(json('mutation { ...Missing }'))).toEqual(['unknown']);
  });

  it('fields nested under a harmless mutation are not mutations', async () => {
    expect(await body(json('mutation { serviceCreate(input: {}) { id volumeDelete } }'))).toEqual([]);
  });

  it('variables come from the request, then from the default value', async () => {
    const given = await body(json('mutation($id: String!) { volumeDelete(volumeId: $id) }', { variables: { id: 'vol_9' } }));
    expect(given[0]!.details?.volumeId).toBe('vol_9');
    const byDefault = await body(json('mutation($id: String = "vol_d") { volumeDelete(volumeId: $id) }'));
    expect(byDefault[0]!.details?.volumeId).toBe('vol_d');
  });

  it('operationName picks the operation the server runs', async () => {
    const doc = 'mutation Rename { volumeUpdate(volumeId: "v", input: {name: "x"}) { id } } mutation Wipe { volumeDelete(volumeId: "v") }';
    expect(await body(json(doc, { operationName: 'Rename' }))).toEqual([]);
    expect(await kindsOf(json(doc, { operationName: 'Wipe' }))).toEqual(['volume-delete']);
    // No name, or a name that matches nothing: every operation is judged (fail closed).
    expect(await kindsOf(json(doc))).toEqual(['volume-delete']);
    expect(await kindsOf(json(doc, { operationName: 'Nope' }))).toEqual(['volume-delete']);
  });

  it('every destructive field of a request is reported, and each finding carries the full list', async () => {
    const findings = await body(json('mutation { a: volumeDelete(volumeId: "v1") b: volumeDelete(volumeId: "v2") serviceDelete(id: "s") }'));
    expect(findings.map((f) => f.kind)).toEqual(['volume-delete', 'volume-delete', 'service-delete']);
    expect((findings[0]!.details?.mutations as Array<{ volumeId?: string }>).map((m) => m.volumeId)).toEqual(['v1', 'v2', undefined]);
  });
});

describe('conditional mutations', () => {
  const upsert = (replace: string) => json(`mutation { variableCollectionUpsert(input: {projectId: "p", environmentId: "e", variables: {A: "1"}${replace}}) }`);
  const patch = (p: unknown) => json('mutation($p: EnvironmentConfig) { environmentPatchCommit(environmentId: "e", patch: $p) }', { variables: { p } });

  it.each([
    ['variableCollectionUpsert replace: true', upsert(', replace: true'), ['variable-delete']],
    ['variableCollectionUpsert without replace', upsert(''), []],
    ['variableCollectionUpsert replace: false', upsert(', replace: false'), []],
    ['a patch deleting a service', patch({ services: { s1: { isDeleted: true } } }), ['data-delete']],
    ['a patch deleting a bucket', patch({ buckets: { b1: { isDeleted: true } } }), ['data-delete']],
    ['a patch removing a variable', patch({ services: { s1: { variables: { API_KEY: null } } } }), ['variable-delete']],
    ['a patch removing a volume mount', patch({ services: { s1: { volumeMounts: { vol_1: null } } } }), ['variable-delete']],
    ['a patch removing a shared variable', patch({ sharedVariables: { A: null } }), ['variable-delete']],
    ['a patch that only scales', patch({ services: { s1: { deploy: { numReplicas: 2 } } } }), []],
    ['staged deletion', json('mutation { environmentStageChanges(environmentId: "e", input: {volumes: {v: {isDeleted: true}}}) }'), ['data-delete']],
    ['backup schedule emptied', json('mutation { volumeInstanceBackupScheduleUpdate(volumeInstanceId: "vi", kinds: []) }'), ['backups-off']],
    ['backup schedule kept', json('mutation { volumeInstanceBackupScheduleUpdate(volumeInstanceId: "vi", kinds: [DAILY]) }'), []],
    ['scaled to zero', json('mutation { serviceInstanceUpdate(serviceId: "s", environmentId: "e", input: {numReplicas: 0}) }'), ['deployment-remove']],
    ['every region at zero', json('mutation($i: ServiceInstanceUpdateInput!) { serviceInstanceUpdate(serviceId: "s", input: $i) }', { variables: { i: { multiRegionConfig: { 'us-west2': { numReplicas: 0 }, 'europe-west4': { numReplicas: 0 } } } } }), ['deployment-remove']],
    ['one region still up', json('mutation($i: ServiceInstanceUpdateInput!) { serviceInstanceUpdate(serviceId: "s", input: $i) }', { variables: { i: { multiRegionConfig: { 'us-west2': { numReplicas: 0 }, 'europe-west4': { numReplicas: 1 } } } } }), []],
    ['scaled up', json('mutation { serviceInstanceUpdate(serviceId: "s", input: {numReplicas: 2}) }'), []],
    ['volume detached', json('mutation { volumeInstanceUpdate(volumeId: "v", input: {serviceId: null}) }'), ['volume-detach']],
    ['volume marked deleted', json('mutation { volumeInstanceUpdate(volumeId: "v", input: {state: DELETED}) }'), ['volume-delete']],
    ['volume mount path changed', json('mutation { volumeInstanceUpdate(volumeId: "v", input: {mountPath: "/data"}) }'), []],
    ['change set deleting a resource', json('mutation($c: JSON!) { environmentApplyChangeSet(environmentId: "e", input: $c) }', { variables: { c: { changes: [{ kind: 'resource.delete' }] } } }), ['data-delete']],
    ['change set creating a resource', json('mutation($c: JSON!) { environmentApplyChangeSet(environmentId: "e", input: $c) }', { variables: { c: { changes: [{ kind: 'resource.create' }] } } }), []],
    ['2FA enforcement turned off', json('mutation { workspaceTwoFactorEnforcementUpdate(workspaceId: "w", enabled: false) }'), ['access-change']],
  ])('%s', async (_, text, kinds) => {
    expect(await kindsOf(text)).toEqual(kinds);
  });

  it('a condition that depends on a variable nobody supplied counts as holding', async () => {
    const findings = await analyze([
      { text: 'mutation($r: Boolean) { variableCollectionUpsert(input: {projectId: "p", environmentId: "e", variables: {}, replace: $r}) }', origin: 'argument' },
      { text: null, origin: '--variables @vars.json', problem: 'cannot read vars.json' },
    ]);
    expect(findings.map((f) => f.kind)).toEqual(['variable-delete']);
    expect(findings[0]!.detail).toContain('if a value not in the request says so');
  });

  it('serviceDelete without environmentId says it hits every environment', async () => {
    const [f] = await body(json('mutation { serviceDelete(id: "s") }'));
    expect(f!.detail).toContain('from every environment');
  });
});

describe('the mutation table', () => {
  it('a field named like destruction but not in the table is still reported', async () => {
    expect(await kindsOf(json('mutation { volumeWipe(id: "v") }'))).toEqual(['destructive-mutation']);
    expect(await kindsOf(json('mutation { productDelete(input: {id: "p"}) { deletedProductId } }'))).toEqual(['destructive-mutation']);
  });

  it('every placeholder in a description names an id the entry extracts', () => {
    for (const [field, effect] of Object.entries(RAILWAY_MUTATIONS)) {
      const texts = [effect.does, ...(effect.when ?? []).flatMap((w) => (w.does ? [w.does] : []))];
      for (const text of texts) {
        for (const [, key] of text.matchAll(/\{(\w+)\}/g)) expect(Object.keys(effect.ids ?? {}), `${field}: {${key}}`).toContain(key);
      }
    }
  });

  it('the incident mutation and its kin are in the table with their kinds', () => {
    expect(effectOf('volumeDelete')).toMatchObject({ kind: 'volume-delete', backups: true });
    expect(effectOf('volumeInstanceBackupDelete')?.kind).toBe('backup-delete');
    expect(effectOf('environmentDelete')?.kind).toBe('environment-delete');
    expect(effectOf('projectDelete')?.kind).toBe('project-delete');
    expect(effectOf('serviceCreate')).toBeUndefined();
  });
});

describe('command-line words (httpie/xh items, URLs, `railway api`)', () => {
  const words = (...list: string[]): Payload[] => list.map((text) => ({ text, origin: 'argument' }));

  it('httpie items build one JSON body: query=… variables:=… operationName=…', async () => {
    const findings = await analyze(words('POST', 'https://backboard.railway.com/graphql/v2', 'Authorization:Bearer x', 'query=mutation($id: String!) { volumeDelete(volumeId: $id) }', 'variables:={"id":"vol_5"}'));
    expect(findings.map((f) => [f.kind, f.details?.volumeId])).toEqual([['volume-delete', 'vol_5']]);
  });

  it('httpie query=@file reads the document from the file', async () => {
    writeFileSync(join(dir, 'wipe.graphql'), 'mutation { volumeDelete(volumeId: "vol_f") }\n');
    expect((await analyze(words('POST', 'https://x/graphql', 'query=@wipe.graphql'))).map((f) => f.details?.volumeId)).toEqual(['vol_f']);
    expect((await analyze(words('POST', 'https://x/graphql', 'query=@missing.graphql'))).map((f) => f.kind)).toEqual(['unknown']);
  });

  it('a GET with ?query= in the URL', async () => {
    expect((await analyze(words(`https://backboard.railway.com/graphql/v2?query=${encodeURIComponent('mutation { volumeDelete(volumeId: "v") }')}`))).map((f) => f.kind)).toEqual(['volume-delete']);
  });

  it('plain words (railway api search …, METHOD, URL) are not bodies', async () => {
    expect(await analyze(words('api', 'search', 'volumeDelete'))).toEqual([]);
    expect(await analyze(words('api', 'describe', 'Mutation.volumeDelete'))).toEqual([]);
    expect(await analyze(words('POST', 'https://backboard.railway.com/graphql/v2'))).toEqual([]);
  });

  it('railway api: the document word plus --variables / --var / --raw-var', async () => {
    const doc = 'mutation($id: String!) { volumeDelete(volumeId: $id) }';
    const viaVariables = await analyze([...words('api', doc), { text: '{"id":"vol_v"}', origin: '--variables' }]);
    const viaVar = await analyze([...words('api', doc), { text: 'id="vol_j"', origin: '--var' }]);
    const viaRaw = await analyze([...words('api', doc), { text: 'id=vol_r', origin: '--raw-var' }]);
    expect([viaVariables, viaVar, viaRaw].map((f) => f[0]!.details?.volumeId)).toEqual(['vol_v', 'vol_j', 'vol_r']);
  });

  it('a word only known at run time is unknown, not skipped', async () => {
    expect((await analyze(words('api', '$DOC'))).map((f) => f.kind)).toEqual(['unknown']);
  });
});

describe('bodies read from files and stdin (through curl.yaml)', () => {
  const curl = loadRulesetFile(join(import.meta.dirname, '..', '..', 'rulesets', 'curl.yaml'), 'builtin');
  const URL = 'https://backboard.railway.com/graphql/v2';
  writeFileSync(join(dir, 'wipe.json'), json('mutation { volumeDelete(volumeId: "vol_file") }'));
  writeFileSync(join(dir, 'me.json'), json('query { me { id } }'));
  writeFileSync(join(dir, 'wipe.graphql'), '# clean up\nmutation Wipe {\n  volumeDelete(volumeId: "vol_raw")\n}\n');
  writeFileSync(join(dir, 'delete.curlrc'), `url = "${URL}"\ndata = "{\\"query\\":\\"mutation { volumeDelete(volumeId: \\\\\\"v\\\\\\") }\\"}"\n`);
  writeFileSync(join(dir, 'query.curlrc'), `url = "${URL}"\ndata = "{\\"query\\":\\"query { me { id } }\\"}"\n`);

  it.each([
    [`curl ${URL} -d @wipe.json`, ['curl:railway-volume-delete']],
    [`curl ${URL} --data-binary @wipe.graphql`, ['curl:railway-volume-delete']],
    [`curl ${URL} --json @wipe.json`, ['curl:railway-volume-delete']],
    [`curl ${URL} -d @- < wipe.json`, ['curl:railway-volume-delete']],
    [`cat wipe.json | curl ${URL} -d @-`, ['curl:railway-volume-delete']],
    [`curl ${URL} -d @me.json`, []],
    [`curl ${URL} -d @missing.json`, ['curl:railway-unknown-request']],
    [`curl ${URL} -d @-`, ['curl:railway-unknown-request']],
    // The config's lines are read like the command line: its url and data are judged, not just flagged.
    ['curl -K delete.curlrc', ['curl:railway-volume-delete']],
    ['curl -K missing.curlrc', ['curl:config-file-mutation']],
    ['curl -K query.curlrc', []],
  ])('%s', async (line, fired) => {
    expect(await rulesFiredBy(line, curl, dir)).toEqual(fired);
  });
});
