// The incident's request, from inside `blastgate sandbox`, by every kind of program: curl (PATH and absolute
// path), python3 urllib, node fetch, wget. The Railway stand-in receives nothing until a human approves from
// their own terminal outside; then exactly one request arrives, carrying the real token, while the agent
// only ever held a placeholder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Terminal } from '../confirm/sandbox.js';
import { REAL } from '../sandbox/world.js';
import { makeEgressWorld, RAILWAY_URL, refusalIn, startOutside, type EgressWorld, type Outside } from './world.js';

/** This file's own agent user (test/egress/world.ts). */
const USER = 'bgt-egress';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

let outside: Outside;
let world: EgressWorld;
const terms: Terminal[] = [];
beforeAll(async () => {
  outside = await startOutside();
});
afterAll(async () => {
  await outside.close();
});
afterEach(() => {
  for (const t of terms.splice(0)) t.kill();
  outside.railway.received.length = 0;
  world?.cleanup();
});

const volumeDelete = (id: string) => JSON.stringify({ query: `mutation { volumeDelete(volumeId: "${id}") }` });

const PYTHON = `
import json, os, sys, urllib.request, urllib.error
req = urllib.request.Request(${JSON.stringify(RAILWAY_URL)}, data=open('body.json', 'rb').read(), method='POST',
    headers={'Authorization': 'Bearer ' + os.environ['RAILWAY_API_TOKEN'], 'Content-Type': 'application/json'})
try:
    print(urllib.request.urlopen(req).read().decode())
except urllib.error.HTTPError as e:
    print(e.read().decode())
`;

const NODE = `
const res = await fetch(${JSON.stringify(RAILWAY_URL)}, { method: 'POST', body: (await import('node:fs')).readFileSync('body.json'),
  headers: { authorization: 'Bearer ' + process.env.RAILWAY_API_TOKEN, 'content-type': 'application/json' } });
console.log(await res.text());
`;

const CURL = (bin: string) => `${bin} -sS ${RAILWAY_URL} -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' --data-binary @body.json`;

/**
 * The agent sends the request, waits for the test's go-ahead (a file in the workspace), and sends the
 * identical request again. Between the two, a human approves the pending request outside.
 */
const approvedOnce = async (send: string, volume: string) => {
  world = makeEgressWorld(USER, outside, terms);
  world.put('body.json', volumeDelete(volume));
  world.put('req.py', PYTHON);
  world.put('fetch.mjs', NODE);
  const run = world.startSandbox(
    `(${send}) > first.out 2>&1; while [ ! -e go ]; do sleep 0.1; done; (${send}) > second.out 2>&1; (${send}) > third.out 2>&1; echo "token inside: $RAILWAY_API_TOKEN"`,
  );
  const refusal = await refusalIn(world, 'first.out');
  expect(refusal.error).toBe("blastgate: needs a human's approval");
  expect(refusal.approve).toBe(`blastgate approve ${refusal.request}`);
  // Nothing reached the server: the request waits for a human.
  expect(outside.railway.received).toEqual([]);
  // The human sees what they approve: the API call, the credential it carries, and what it destroys.
  const screen = (await world.approve(refusal.request!)).replace(/\s+/g, ' ');
  expect(screen).toContain('https://backboard.railway.app/graphql/v2');
  expect(screen).toContain('RAILWAY_API_TOKEN');
  expect(screen).toMatch(/Deletes a Railway volume/);
  expect(outside.railway.received).toEqual([]);
  world.put('go', '');
  const done = await run.done;
  expect(done.code, done.stderr).toBe(0);
  expect(JSON.parse(world.read('second.out')), `${world.read('second.out')}\n${readFileSync(join(world.paths.stateDir, 'audit.jsonl'), 'utf8')}`).toEqual({ data: { volumeDelete: true } });
  // Once: the same request again needs a new approval.
  expect(JSON.parse(world.read('third.out')).error).toBe("blastgate: needs a human's approval");
  // Exactly one request, the agent's own body, with the real token; inside there was only a placeholder.
  expect(outside.railway.received).toHaveLength(1);
  const got = outside.railway.received[0]!;
  expect(got.method).toBe('POST');
  expect(got.path).toBe('/graphql/v2');
  expect(JSON.parse(got.body)).toEqual(JSON.parse(volumeDelete(volume)));
  expect(got.headers.authorization).toBe(`Bearer ${REAL.railwayApiToken}`);
  expect(done.stdout).toMatch(/token inside: bgph_[0-9a-f]{24}\n/);
  expect(done.stdout).not.toContain(REAL.railwayApiToken);
  // Audited with host, method, path and body hash; the body itself is not in the log.
  const log = readFileSync(join(world.paths.stateDir, 'audit.jsonl'), 'utf8');
  expect(log).toContain('https://backboard.railway.app/graphql/v2');
  expect(log).toMatch(/body sha256:[0-9a-f]{64}/);
  expect(log).not.toContain(`volumeId: \\"${volume}\\"`);
  expect(log).not.toContain(REAL.railwayApiToken);
};

describe("the incident's volumeDelete from inside the sandbox", () => {
  it('curl on PATH: refused with the approve line, then sent once with the real token after a human approves', async () => {
    await approvedOnce(CURL('curl'), 'vol-curl');
  });
  it('curl by absolute path: the same', async () => {
    await approvedOnce(CURL('/usr/bin/curl'), 'vol-abs');
  });
  it('python3 urllib: the same', async () => {
    await approvedOnce('python3 req.py', 'vol-py');
  });
  it('node fetch: the same', async () => {
    await approvedOnce('node fetch.mjs', 'vol-node');
  });
  it('wget: the same', async () => {
    await approvedOnce(`wget -qO- --content-on-error --header="Authorization: Bearer $RAILWAY_API_TOKEN" --header='Content-Type: application/json' --post-file=body.json ${RAILWAY_URL}`, 'vol-wget');
  });
});
