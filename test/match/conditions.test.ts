// Words only known at run time against match conditions: what may stand for anything, and what not.
import { describe, expect, it } from 'vitest';
import { evaluate, type Subject } from '../../src/match/conditions.js';
import { indexGrammar, readArgs } from '../../src/match/read-args.js';
import type { MatchSpec } from '../../src/rulesets/types.js';

const subject = (args: string[], dynamic: number[]): Subject => ({
  read: readArgs(args, indexGrammar({ style: 'posix', valueFlags: [], aliases: {}, envArgs: [], payloads: {} }), false),
  env: {},
  cwd: '/tmp',
  dynamic: new Set(dynamic),
  findings: async () => [],
});
const hits = async (spec: MatchSpec, args: string[], dynamic: number[]) => (await evaluate(spec, subject(args, dynamic))) !== null;

describe('run-time words', () => {
  it("a command's output or $@ matches every pattern", async () => {
    expect(await hits({ command: ['delete'], args: '^(?:ns|namespace)/' }, ['delete', '$(kubectl get ns -o name | grep prod)'], [1])).toBe(true);
    expect(await hits({ args: '^\\+' }, ['push', '$@'], [1])).toBe(true);
  });

  it('a plain variable is read as written and with the variable empty', async () => {
    expect(await hits({ command: ['delete', 'pod'], args: '^(?:ns|namespace)/' }, ['delete', 'pod', '$POD'], [2])).toBe(false);
    expect(await hits({ args: '^/$' }, ['$DIR/'], [0])).toBe(true);
  });

  it('at an argAt place a bare variable could be anything; literal words must match', async () => {
    const spec: MatchSpec = { command: ['s3', 'sync'], argAt: { '1': '^s3://' } };
    expect(await hits(spec, ['s3', 'sync', './build', '$DEST'], [3])).toBe(true);
    expect(await hits(spec, ['s3', 'sync', 's3://prod', './backup'], [])).toBe(false);
    expect(await hits(spec, ['s3', 'sync', './build', 's3://site'], [])).toBe(true);
    expect(await hits(spec, ['s3', 'sync', './build'], [])).toBe(false);
  });

  it('an unknown word never vetoes a rule through `unless`', async () => {
    expect(await hits({ args: '.', unless: { argAt: { '0': '^localhost' } } }, ['$(echo localhost)'], [0])).toBe(true);
  });
});
