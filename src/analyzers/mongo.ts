// MongoDB shell analyzer: JavaScript for mongosh / mongo (`--eval`, script files, stdin) parsed with acorn
// and searched for calls that lose data. The parser loads only when the text holds one of the method names.
//
// Finding kinds (rulesets/mongosh.yaml selects on these):
//   drop-database   db.dropDatabase(), runCommand({ dropDatabase: 1 })
//   drop-collection db.<c>.drop(), db.getCollection(…).drop(), runCommand({ drop: … })
//   delete-all      deleteMany({}) / deleteMany() / remove({}) / remove(): every document of the collection
//   update-all      updateMany({}, …) / update({}, …, { multi: true }): every document
//   drop-users      dropUser, dropAllUsers, dropRole, dropAllRoles
//   drop-index      dropIndex / dropIndexes
//   unfiltered      deleteMany / remove / updateMany whose filter is not a literal (only known at run time)
//   unknown         unparseable JavaScript, eval / load / Function, a command document built at run time
import { PayloadReader } from '../payload/reader.js';
import type { Finding } from '../types.js';
import type { Analyzer, Payload } from './types.js';

type Node = { type: string; [key: string]: unknown };

/** Sound prefilter: without one of these names no call below can be in the text. */
const KEYWORDS = /drop|delete|remove|update|runCommand|adminCommand|eval|load|Function|\[/;

/** mongosh shell helpers that are not JavaScript (`use shop`, `show dbs`): blanked before parsing. */
const SHELL_HELPER = /^\s*(use|show|it|exit|quit|help)\b.*$/gm;

let acorn: Promise<typeof import('acorn')> | undefined;
const loadAcorn = () => (acorn ??= import('acorn'));

const isEmptyObject = (n: Node | undefined): boolean => n === undefined || (n.type === 'ObjectExpression' && (n.properties as Node[]).length === 0);
const isLiteralObject = (n: Node | undefined): boolean => n !== undefined && n.type === 'ObjectExpression';

const propertyName = (n: Node): string | null => {
  if (n.type === 'Identifier') return n.name as string;
  if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
  return null;
};

/** The method a call invokes (`x.y.drop()` → drop; `x['drop']()` → drop), or null. */
const methodOf = (call: Node): string | null => {
  const callee = call.callee as Node;
  if (callee.type !== 'MemberExpression') return callee.type === 'Identifier' ? (callee.name as string) : null;
  const prop = callee.property as Node;
  if (!callee.computed) return propertyName(prop);
  return prop.type === 'Literal' && typeof prop.value === 'string' ? prop.value : '[computed]';
};

const keysOf = (obj: Node): string[] => (obj.properties as Node[]).flatMap((p) => (p.type === 'Property' ? [propertyName(p.key as Node) ?? '[computed]'] : ['[spread]']));

const judgeCall = (call: Node, source: string): Finding[] => {
  const method = methodOf(call);
  const args = call.arguments as Node[];
  const statement = source.slice(call.start as number, Math.min(call.end as number, (call.start as number) + 120));
  const found = (kind: string, detail: string): Finding[] => [{ kind, detail: `${detail}: ${statement}`, details: { statement } }];
  switch (method) {
    case 'dropDatabase':
      return found('drop-database', 'deletes the database with every collection in it');
    case 'drop':
      return found('drop-collection', 'deletes the collection with every document and index');
    case 'deleteMany':
    case 'remove':
      if (isEmptyObject(args[0])) return found('delete-all', 'deletes every document of the collection');
      return isLiteralObject(args[0]) ? [] : found('unfiltered', 'deletes documents with a filter only known at run time');
    case 'updateMany':
      if (isEmptyObject(args[0])) return found('update-all', 'changes every document of the collection');
      return isLiteralObject(args[0]) ? [] : found('unfiltered', 'changes documents with a filter only known at run time');
    case 'update': {
      const multi = args[2]?.type === 'ObjectExpression' && keysOf(args[2]).includes('multi');
      return multi && isEmptyObject(args[0]) ? found('update-all', 'changes every document of the collection') : [];
    }
    case 'dropUser':
    case 'dropAllUsers':
    case 'dropRole':
    case 'dropAllRoles':
      return found('drop-users', 'deletes database users or roles');
    case 'dropIndex':
    case 'dropIndexes':
      return found('drop-index', 'deletes indexes (queries slow down until they are rebuilt)');
    case 'runCommand':
    case 'adminCommand': {
      const doc = args[0];
      if (!doc || doc.type !== 'ObjectExpression') return found('unknown', 'runs a database command built at run time');
      const keys = keysOf(doc);
      if (keys.includes('dropDatabase')) return found('drop-database', 'deletes the database');
      if (keys.includes('drop')) return found('drop-collection', 'deletes a collection');
      if (keys.some((k) => ['delete', 'update', 'findAndModify', '[computed]', '[spread]'].includes(k))) return found('unknown', 'runs a write command the shell cannot judge');
      return [];
    }
    case 'eval':
    case 'load':
    case 'Function':
    case '[computed]':
      return found('unknown', 'runs code or a method chosen at run time');
    default:
      return [];
  }
};

/** Every CallExpression / NewExpression in the tree (a plain walk: acorn nodes are plain objects). */
const calls = (root: Node): Node[] => {
  const out: Node[] = [];
  const stack: unknown[] = [root];
  while (stack.length) {
    const n = stack.pop();
    if (Array.isArray(n)) stack.push(...n);
    else if (n && typeof n === 'object' && typeof (n as Node).type === 'string') {
      if ((n as Node).type === 'CallExpression' || (n as Node).type === 'NewExpression') out.push(n as Node);
      for (const [k, v] of Object.entries(n)) if (k !== 'type' && v && typeof v === 'object') stack.push(v);
    }
  }
  return out;
};

export const judgeMongoScript = async (text: string, origin: string): Promise<Finding[]> => {
  if (!KEYWORDS.test(text)) return [];
  const { parse } = await loadAcorn();
  let tree: Node;
  try {
    tree = parse(text.replace(SHELL_HELPER, ''), { ecmaVersion: 'latest', sourceType: 'script', allowAwaitOutsideFunction: true, allowReturnOutsideFunction: true }) as unknown as Node;
  } catch (err) {
    return [{ kind: 'unknown', detail: `JavaScript the shell would run cannot be parsed (${(err as Error).message})`, details: { origin } }];
  }
  return calls(tree).flatMap((c) => judgeCall(c, text)).map((f) => ({ ...f, details: { ...f.details, origin } }));
};

/** A script file named on the command line, read (and hashed) through the verdict's payload reader. */
const scriptPayload = (path: string, cwd: string, reader: PayloadReader): Payload => {
  const file = reader.file(path, cwd);
  return { text: file.text, origin: path, ...(file.problem ? { problem: file.problem } : {}) };
};

export const analyzeMongo: Analyzer = async (payloads, ctx) => {
  const findings: Finding[] = [];
  const reader = ctx.reader ?? new PayloadReader();
  for (const p of payloads) {
    // Positional words: the connection string and the `.js` files mongosh runs after connecting.
    const payload = p.origin === 'argument' ? (/\.js$/i.test(p.text ?? '') ? scriptPayload(p.text!, ctx.cwd, reader) : null) : p;
    if (!payload) continue;
    if (payload.text === null) findings.push({ kind: 'unknown', detail: payload.problem ?? `${payload.origin} cannot be read`, details: { origin: payload.origin } });
    else findings.push(...(await judgeMongoScript(payload.text, payload.origin)));
  }
  return findings;
};
