// Inline code read with the real grammars (tree-sitter-python, acorn): what it would run, send or delete.
import { describe, expect, it } from 'vitest';
import { javascriptEffects } from '../../src/inline/javascript.js';
import { pythonEffects } from '../../src/inline/python.js';

const INCIDENT = 'mutation { volumeDelete(volumeId: \\"vol_7f3a9c\\") }';

describe('python', () => {
  it.each([
    ['import subprocess; subprocess.run(["terraform", "destroy", "-auto-approve"])', { argvs: [['terraform', 'destroy', '-auto-approve']] }],
    ['from subprocess import check_call as cc\ncc(["kubectl", "delete", "ns", "prod"])', { argvs: [['kubectl', 'delete', 'ns', 'prod']] }],
    ['import subprocess as sp; sp.Popen("dropdb shop", shell=True)', { lines: ['dropdb shop'] }],
    ["import os; os.system(\"psql -c 'DROP TABLE orders'\")", { lines: ["psql -c 'DROP TABLE orders'"] }],
    ['import os; os.execvp("terraform", ["terraform", "destroy"])', { argvs: [['terraform', 'destroy']] }],
    ['import shutil; shutil.rmtree("/home/me")', { argvs: [['rm', '-rf', '--', '/home/me']] }],
    ['from pathlib import Path; Path("terraform.tfstate").unlink()', { argvs: [['rm', '-f', '--', 'terraform.tfstate']] }],
    ['exec("import os; os.system(\'terraform destroy\')")', { lines: ['terraform destroy'] }],
  ])('%s', async (code, want) => {
    expect(await pythonEffects(code)).toEqual({ argvs: [], lines: [], unknowns: [], ...want });
  });

  it('turns the incident request (requests and urllib) into the equivalent curl', async () => {
    const viaRequests = await pythonEffects(`import requests\nrequests.post("https://backboard.railway.app/graphql/v2", json={"query": "${INCIDENT}"}, headers={"Authorization": "Bearer x"})`);
    expect(viaRequests.argvs[0]).toEqual(['curl', '-X', 'POST', 'https://backboard.railway.app/graphql/v2', '-H', 'Authorization: Bearer x', '-H', 'Content-Type: application/json', '--data-raw', JSON.stringify({ query: 'mutation { volumeDelete(volumeId: "vol_7f3a9c") }' })]);
    const viaUrllib = await pythonEffects(`import urllib.request, json\nreq = urllib.request.Request("https://backboard.railway.app/graphql/v2", data=json.dumps({"query": "${INCIDENT}"}).encode())\nurllib.request.urlopen(req)`);
    expect(viaUrllib.argvs[0]?.slice(0, 4)).toEqual(['curl', '-X', 'POST', 'https://backboard.railway.app/graphql/v2']);
    expect(viaUrllib.argvs[0]?.at(-1)).toContain('volumeDelete');
  });

  it('reports what it cannot see as unknown, and leaves harmless code alone', async () => {
    expect((await pythonEffects('import subprocess, sys; subprocess.run(sys.argv[1:])')).unknowns).toHaveLength(1);
    expect((await pythonEffects('import requests, os; requests.post(os.environ["URL"])')).unknowns).toHaveLength(1);
    expect((await pythonEffects('import shutil, sys; shutil.rmtree(sys.argv[1])')).unknowns).toHaveLength(1);
    expect(await pythonEffects('print(sum(range(10)))')).toEqual({ argvs: [], lines: [], unknowns: [] });
    expect(await pythonEffects('import json; print(json.dumps({"system": "ok"}))')).toEqual({ argvs: [], lines: [], unknowns: [] });
  });
});

describe('javascript', () => {
  it.each([
    ["require('child_process').execSync('terraform destroy -auto-approve')", { lines: ['terraform destroy -auto-approve'] }],
    ["const { spawnSync } = require('node:child_process'); spawnSync('kubectl', ['delete', 'ns', 'prod'])", { argvs: [['kubectl', 'delete', 'ns', 'prod']] }],
    ["import { execFileSync } from 'child_process'; execFileSync('dropdb', ['shop'])", { argvs: [['dropdb', 'shop']] }],
    ["import fs from 'node:fs'; fs.rmSync('/home/me', { recursive: true, force: true })", { argvs: [['rm', '-rf', '--', '/home/me']] }],
    ['await Bun.$`terraform destroy`', { lines: ['terraform destroy'] }],
    ["new Deno.Command('psql', { args: ['-c', 'DROP TABLE orders'] }).outputSync()", { argvs: [['psql', '-c', 'DROP TABLE orders']] }],
    ["eval(\"require('child_process').execSync('rm -rf ~')\")", { lines: ['rm -rf ~'] }],
  ])('%s', async (code, want) => {
    expect(await javascriptEffects(code)).toEqual({ argvs: [], lines: [], unknowns: [], ...want });
  });

  it('turns fetch of the incident mutation into the equivalent curl', async () => {
    const e = await javascriptEffects(`fetch('https://backboard.railway.app/graphql/v2', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query: 'mutation { volumeDelete(volumeId: "v") }' }) })`);
    expect(e.argvs[0]?.slice(0, 4)).toEqual(['curl', '-X', 'POST', 'https://backboard.railway.app/graphql/v2']);
    expect(e.argvs[0]?.at(-1)).toBe(JSON.stringify({ query: 'mutation { volumeDelete(volumeId: "v") }' }));
  });

  it('reports run-time values and unparseable code as unknown; leaves console.log alone', async () => {
    expect((await javascriptEffects("require('child_process').exec(process.argv[1])")).unknowns).toHaveLength(1);
    expect((await javascriptEffects('fetch(process.env.URL, { method: "DELETE" })')).unknowns).toHaveLength(1);
    expect((await javascriptEffects('require("child_process").exec(')).unknowns).toHaveLength(1);
    expect(await javascriptEffects('console.log(1 + 1)')).toEqual({ argvs: [], lines: [], unknowns: [] });
  });
});
