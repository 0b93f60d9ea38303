// `check --json` gives one production answer in one place (issue 15 #6): `blast.production`.
import { rmSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { blastgate, sandbox } from '../helpers/cli.js';

const box = sandbox();
afterAll(() => rmSync(box.root, { recursive: true, force: true }));

it.each([
  ['psql on a production database', "psql -h db.prod.internal -d shop_production -c 'DROP TABLE orders'", true],
  ['psql on a scratch database', "psql -h localhost -d scratch -c 'DROP TABLE orders'", false],
])('%s: blast.production is the answer; target has none to contradict it', (_, line, production) => {
  const r = blastgate(['check', '--json', '--shell', line], { env: box.env });
  expect(r.code).toBe(10);
  const json = JSON.parse(r.stdout) as { target: Record<string, unknown> | null; blast: { production: unknown } };
  expect(json.blast.production).toBe(production);
  expect(json.target).not.toBeNull();
  expect(json.target).not.toHaveProperty('production');
});
