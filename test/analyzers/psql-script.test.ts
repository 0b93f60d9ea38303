// psql's own lexing, reproduced: where statements end, what a meta-command's words are, how variables expand.
import { describe, expect, it } from 'vitest';
import { scanPsqlScript, type ScriptItem } from '../../src/analyzers/psql-script.js';

const scan = (text: string, vars: Record<string, string | null> = {}, singleLine = false) =>
  scanPsqlScript(text, { vars: new Map(Object.entries(vars)), singleLine });
const sql = (items: ScriptItem[]) => items.filter((i) => i.type === 'sql').map((i) => i.text.trim());
const metas = (items: ScriptItem[]) => items.flatMap((i) => (i.type === 'meta' ? [[i.name, ...i.args]] : []));

describe('statement boundaries', () => {
  it.each([
    ['SELECT 1; SELECT 2;', ['SELECT 1;', 'SELECT 2;']],
    ["SELECT ';'; SELECT 2", ["SELECT ';';", 'SELECT 2']],
    ["SELECT E'it\\'s;'; SELECT 2", ["SELECT E'it\\'s;';", 'SELECT 2']],
    ['SELECT "a;b"; SELECT 2', ['SELECT "a;b";', 'SELECT 2']],
    ['SELECT $$a;b$$; SELECT $x$ $$ ; $x$;', ['SELECT $$a;b$$;', 'SELECT $x$ $$ ; $x$;']],
    ['SELECT 1 -- a; comment\n; SELECT 2', ['SELECT 1 -- a; comment\n;', 'SELECT 2']],
    ['SELECT /* a; /* nested; */ b; */ 1; SELECT 2', ['SELECT /* a; /* nested; */ b; */ 1;', 'SELECT 2']],
    ['CREATE RULE r AS ON DELETE TO t DO INSTEAD (DELETE FROM a; DELETE FROM b); SELECT 2', ['CREATE RULE r AS ON DELETE TO t DO INSTEAD (DELETE FROM a; DELETE FROM b);', 'SELECT 2']],
    ['SELECT CASE WHEN true THEN 1 END; SELECT 2', ['SELECT CASE WHEN true THEN 1 END;', 'SELECT 2']],
    ['BEGIN; SELECT 1; END;', ['BEGIN;', 'SELECT 1;', 'END;']],
    ['SELECT 1\\; SELECT 2;', ['SELECT 1; SELECT 2;']],
  ])('%j', (text, expected) => {
    expect(sql(scan(text))).toEqual(expected);
  });

  it('-S: a newline ends the statement', () => {
    expect(sql(scan('DELETE FROM t\nWHERE id = 1;', {}, true))).toEqual(['DELETE FROM t', 'WHERE id = 1;']);
  });
});

describe('meta-commands', () => {
  it('read their words to the end of the line, or to the next backslash', () => {
    expect(metas(scan("\\set greeting 'hello world'\n\\echo :greeting \\\\ SELECT 1;"))).toEqual([['set', 'greeting', 'hello world'], ['echo', 'hello world']]);
  });

  it('\\! and \\copy take the whole line as written', () => {
    expect(metas(scan("\\! rm -rf '/tmp/x' \\ y\n\\copy t FROM 'a b.csv' CSV"))).toEqual([['!', "rm -rf '/tmp/x' \\ y"], ['copy', "t FROM 'a b.csv' CSV"]]);
  });

  it('a sending meta-command ends the statement before it', () => {
    expect(scan('SELECT 1 \\gexec\nSELECT 2;').map((i) => (i.type === 'sql' ? i.text.trim() : `\\${i.name}`))).toEqual(['SELECT 1', '\\gexec', 'SELECT 2;']);
  });

  it('a backquoted word is marked as a shell command', () => {
    const [m] = scan('\\set x `date`');
    expect(m).toMatchObject({ type: 'meta', name: 'set', shell: true });
  });
});

describe('variables', () => {
  it(':name is re-read as script text; :\'name\' and :"name" are quoted', () => {
    expect(sql(scan("SELECT :'v', :\"v\";", { v: "it's" }))).toEqual(["SELECT 'it''s', \"it's\";"]);
    expect(sql(scan(':cmd', { cmd: 'DROP TABLE a; DROP TABLE b;' }))).toEqual(['DROP TABLE a;', 'DROP TABLE b;']);
  });

  it('\\set and \\unset take effect for the lines after them', () => {
    expect(sql(scan('SELECT :n;\n\\set n 5\nSELECT :n;\n\\unset n\nSELECT :n;'))).toEqual(['SELECT ":n";', 'SELECT 5;', 'SELECT ":n";']);
  });

  it('a value set at run time (\\prompt, \\gset) is marked when used bare', () => {
    const items = scan('\\prompt t\nTRUNCATE :t;');
    expect(items.at(-1)).toMatchObject({ type: 'sql', runtimeVars: ['t'] });
  });

  it('casts, array slices and quoted text are left alone', () => {
    expect(sql(scan("SELECT '1'::int, a[1:2], ':x', \":x\";", { x: 'BOOM' }))).toEqual(["SELECT '1'::int, a[1:2], ':x', \":x\";"]);
  });

  it('a variable that expands to itself stops', () => {
    expect(sql(scan(':x;', { x: ':x' })).length).toBe(1);
  });
});
