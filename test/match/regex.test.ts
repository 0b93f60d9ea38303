import { describe, expect, it } from 'vitest';
import { compileRegex } from '../../src/match/regex.js';

describe('ruleset regexes', () => {
  it('are case-sensitive unless they start with (?i)', () => {
    expect(compileRegex('^namespaces?$').test('NAMESPACE')).toBe(false);
    expect(compileRegex('(?i)^namespaces?$').test('NAMESPACE')).toBe(true);
  });
  it('use unicode mode, so a malformed class is an error', () => {
    expect(() => compileRegex('[\\p{Nope}]')).toThrow();
  });
});
