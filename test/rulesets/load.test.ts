import { describe, expect, it } from 'vitest';
import { parseRuleset } from '../../src/rulesets/load.js';

const base = (rules: string, grammar = '') => `tool: demo
binaries: [demo]
${grammar}rules:
${rules}`;

const goodRule = `  - id: demo:wipe
    severity: high
    message: Wipes everything.
    match:
      command: [wipe]
    examples:
      match: [demo wipe]
      no-match: [demo list]
`;

const errorOf = (text: string) => {
  try {
    parseRuleset(text, 'rules/demo.yaml', 'user');
  } catch (err) {
    return (err as Error).message;
  }
  return null;
};

describe('ruleset loader', () => {
  it('accepts a well-formed ruleset and fills grammar defaults', () => {
    const set = parseRuleset(base(goodRule), 'rules/demo.yaml', 'user');
    expect(set.rules.map((r) => r.id)).toEqual(['demo:wipe']);
    expect(set.grammar.style).toBe('posix');
  });

  it.each([
    ['an unknown key, naming its line', base(goodRule.replace('      command: [wipe]', '      command: [wipe]\n      flagz: { -f: true }')), /rules\/demo\.yaml:9: rules\[0\]\.match: unknown key "flagz"/],
    ['a broken regex, naming its line', base(goodRule.replace('      command: [wipe]', "      args: '(unclosed'")), /rules\/demo\.yaml:8: rules\[0\]\.match\.args: broken regex/],
    ['a bad severity', base(goodRule.replace('severity: high', 'severity: huge')), /rules\/demo\.yaml:5: rules\[0\]\.severity: must be one of low, medium, high, critical/],
    ['a rule id of another tool', base(goodRule.replace('demo:wipe', 'other:wipe')), /:4: rules\[0\]\.id: rule id "other:wipe" must start with "demo:"/],
    ['a duplicate rule id', base(goodRule + goodRule), /:12: rules\[1\]\.id: duplicate rule id "demo:wipe"/],
    ['a missing match example', base(goodRule.replace('      match: [demo wipe]\n', '')), /rules\[0\]\.examples: missing key "match"/],
    ['an alias used as a rule flag', base(goodRule.replace('command: [wipe]', 'flags: { -f: true }'), 'grammar:\n  aliases: { -f: --force }\n'), /"-f" is an alias; write the canonical "--force"/],
    ['an unknown analyzer', base(goodRule.replace('command: [wipe]', 'payload: { analyzer: cobol, kinds: [x] }')), /unknown analyzer "cobol"/],
    ['broken YAML', 'tool: demo\nbinaries: [demo\n', /rules\/demo\.yaml:\d+: YAML error/],
    ['a duplicate example', base(goodRule.replace('no-match: [demo list]', 'no-match: [demo wipe]')), /duplicate example "demo wipe"/],
  ])('rejects %s', (_name, text, message) => {
    expect(errorOf(text)).toMatch(message);
  });
});
