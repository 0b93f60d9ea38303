// JavaScript code (`node -e/-p`, `deno eval`, `bun -e`, a script file) parsed with acorn for what it would
// do: processes it starts (child_process, Bun.spawn, Bun.$, Deno.Command), HTTP requests it sends (fetch,
// axios) and files it deletes (fs.rm*, fs.unlink*).
import { curlFor, hasRuntime, noEffects, rmFor, RUNTIME, type InlineEffects, type Literal } from './types.js';

type Node = { type: string; start: number; end: number; [key: string]: unknown };

const CHILD_PROCESS = new Set(['child_process', 'node:child_process']);
const FS = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises']);
const LINE_FNS = new Set(['exec', 'execSync']);
const ARGV_FNS = new Set(['execFile', 'execFileSync', 'spawn', 'spawnSync']);
const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request']);

const KEYWORDS = /child_process|exec|spawn|Bun|Deno|fetch|axios|rm|unlink|eval|Function|vm|require|import/;

class Reader {
  /** Local name → what it stands for: `cp` → `child_process`, `execSync` → `child_process.execSync`. */
  aliases = new Map<string, string>();
  bindings = new Map<string, Node | null>();
  effects: InlineEffects = noEffects();
  nested: string[] = [];

  constructor(private readonly source: string) {}

  text(n: Node): string {
    return this.source.slice(n.start, n.end);
  }

  moduleOf(n: Node | undefined): string | null {
    // require('child_process') / await import('node:fs')
    if (!n) return null;
    if (n.type === 'AwaitExpression') return this.moduleOf(n.argument as Node);
    if (n.type === 'CallExpression' && (n.callee as Node).type === 'Identifier' && (n.callee as Node).name === 'require') {
      const a = (n.arguments as Node[])[0];
      return a?.type === 'Literal' && typeof a.value === 'string' ? a.value : null;
    }
    if (n.type === 'ImportExpression') {
      const s = n.source as Node;
      return s.type === 'Literal' && typeof s.value === 'string' ? s.value : null;
    }
    return null;
  }

  dotted(n: Node | undefined): string | null {
    if (!n) return null;
    if (n.type === 'Identifier') return this.aliases.get(n.name as string) ?? (n.name as string);
    if (n.type === 'MemberExpression') {
      const base = this.moduleOf(n.object as Node) ?? this.dotted(n.object as Node);
      const prop = n.property as Node;
      const key = n.computed ? (prop.type === 'Literal' ? String(prop.value) : null) : (prop.name as string);
      return base && key ? `${base}.${key}` : null;
    }
    return null;
  }

  literal(n: Node | undefined, depth = 0): Literal {
    if (!n || depth > 20) return RUNTIME;
    switch (n.type) {
      case 'Literal':
        return n.value instanceof RegExp || typeof n.value === 'bigint' ? RUNTIME : (n.value as Literal);
      case 'TemplateLiteral':
        return (n.expressions as Node[]).length === 0 ? (n.quasis as Array<{ value: { cooked: string } }>).map((q) => q.value.cooked).join('') : RUNTIME;
      case 'ArrayExpression':
        return (n.elements as Array<Node | null>).map((e) => (e && e.type !== 'SpreadElement' ? this.literal(e, depth + 1) : RUNTIME));
      case 'ObjectExpression': {
        const out: Record<string, Literal> = {};
        for (const p of n.properties as Node[]) {
          if (p.type !== 'Property' || p.computed) return RUNTIME;
          const key = (p.key as Node).type === 'Identifier' ? ((p.key as Node).name as string) : String((p.key as Node).value);
          out[key] = this.literal(p.value as Node, depth + 1);
        }
        return out;
      }
      case 'CallExpression':
        // JSON.stringify({...}) of a literal is a literal string.
        if (this.dotted(n.callee as Node) === 'JSON.stringify') {
          const v = this.literal((n.arguments as Node[])[0], depth + 1);
          return hasRuntime(v) ? RUNTIME : JSON.stringify(v);
        }
        return RUNTIME;
      case 'Identifier': {
        const bound = this.bindings.get(n.name as string);
        return bound ? this.literal(bound, depth + 1) : RUNTIME;
      }
      default:
        return RUNTIME;
    }
  }

  unknown(n: Node, why: string): void {
    this.effects.unknowns.push(`${why}: ${this.text(n).slice(0, 120)}`);
  }

  strings(v: Literal): string[] | null {
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  }

  fetchLike(call: Node, method: string | null): void {
    const args = call.arguments as Node[];
    const url = this.literal(args[0]);
    const init = this.literal(args[1]);
    if (typeof url !== 'string') return this.unknown(call, 'sends an HTTP request to a URL built at run time');
    let m = method ?? 'GET';
    let body: string | null = null;
    const headers: Record<string, string> = {};
    if (args[1]) {
      if (init === RUNTIME || Array.isArray(init) || init === null || typeof init !== 'object') return this.unknown(call, 'sends an HTTP request built at run time');
      if (init.method !== undefined) {
        if (typeof init.method !== 'string') return this.unknown(call, 'sends an HTTP request with a method chosen at run time');
        m = init.method;
      }
      if (init.body !== undefined) {
        if (typeof init.body !== 'string') return this.unknown(call, 'sends a body built at run time');
        body = init.body;
      }
      if (init.headers && typeof init.headers === 'object' && !Array.isArray(init.headers)) for (const [k, v] of Object.entries(init.headers)) headers[k] = typeof v === 'string' ? v : '$RUNTIME';
    }
    this.effects.argvs.push(curlFor(m, url, body, headers));
  }

  axios(call: Node, method: string): void {
    const args = call.arguments as Node[];
    if (method === 'request' || method === 'axios') {
      const cfg = this.literal(args[0]);
      if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg) || hasRuntime(cfg)) return this.unknown(call, 'sends an HTTP request built at run time');
      this.effects.argvs.push(curlFor(String(cfg.method ?? 'GET'), String(cfg.url), cfg.data === undefined ? null : typeof cfg.data === 'string' ? cfg.data : JSON.stringify(cfg.data), {}));
      return;
    }
    const url = this.literal(args[0]);
    const data = ['post', 'put', 'patch'].includes(method) ? this.literal(args[1]) : undefined;
    if (typeof url !== 'string' || (data !== undefined && hasRuntime(data))) return this.unknown(call, 'sends an HTTP request built at run time');
    this.effects.argvs.push(curlFor(method, url, data === undefined ? null : typeof data === 'string' ? data : JSON.stringify(data), {}));
  }

  call(call: Node, isNew: boolean): void {
    const callee = call.callee as Node;
    const name = this.dotted(callee);
    const args = call.arguments as Node[];
    if (!name) return;
    const [head, ...rest] = name.split('.');
    const fn = rest.at(-1) ?? head!;
    if (CHILD_PROCESS.has(head!) && rest.length === 1) {
      if (LINE_FNS.has(fn)) {
        const line = this.literal(args[0]);
        return typeof line === 'string' ? void this.effects.lines.push(line) : this.unknown(call, 'runs a shell command built at run time');
      }
      if (ARGV_FNS.has(fn)) {
        const file = this.literal(args[0]);
        const list = args[1] && args[1].type !== 'ObjectExpression' ? this.strings(this.literal(args[1])) : [];
        const opts = args.find((a, i) => i > 0 && a.type === 'ObjectExpression');
        const shell = opts ? this.literal(opts) : {};
        if (typeof file !== 'string' || !list) return this.unknown(call, 'starts a program built at run time');
        if (shell && typeof shell === 'object' && !Array.isArray(shell) && shell.shell) this.effects.lines.push([file, ...list].join(' '));
        else this.effects.argvs.push([file, ...list]);
        return;
      }
      if (fn === 'fork') return this.unknown(call, 'forks another Node.js script');
    }
    if (name === 'Bun.spawn' || name === 'Bun.spawnSync') {
      const a = this.literal(args[0]);
      const cmd = this.strings(a) ?? (a && typeof a === 'object' && !Array.isArray(a) ? this.strings(a.cmd ?? RUNTIME) : null);
      return cmd ? void this.effects.argvs.push(cmd) : this.unknown(call, 'starts a program built at run time');
    }
    if (isNew && name === 'Deno.Command') {
      const file = this.literal(args[0]);
      const opts = this.literal(args[1]);
      const list = opts && typeof opts === 'object' && !Array.isArray(opts) ? this.strings(opts.args ?? []) : args[1] ? null : [];
      return typeof file === 'string' && list ? void this.effects.argvs.push([file, ...list]) : this.unknown(call, 'starts a program built at run time');
    }
    if (name === 'Deno.run') {
      const opts = this.literal(args[0]);
      const cmd = opts && typeof opts === 'object' && !Array.isArray(opts) ? this.strings(opts.cmd ?? RUNTIME) : null;
      return cmd ? void this.effects.argvs.push(cmd) : this.unknown(call, 'starts a program built at run time');
    }
    if (name === 'fetch' || name === 'globalThis.fetch') return this.fetchLike(call, null);
    if (head === 'axios' && (rest.length === 0 || HTTP_METHODS.has(fn))) return this.axios(call, rest.length ? fn : 'axios');
    if (FS.has(head!) || (head === 'fs' && rest[0] === 'promises')) {
      if (['rmSync', 'rm', 'rmdirSync', 'rmdir', 'unlinkSync', 'unlink'].includes(fn)) {
        const p = this.literal(args[0]);
        const opts = this.literal(args[1]);
        const recursive = !!(opts && typeof opts === 'object' && !Array.isArray(opts) && opts.recursive === true);
        if (typeof p !== 'string') return this.unknown(call, 'deletes a path built at run time');
        if (fn.startsWith('rmdir') && !recursive) return;
        this.effects.argvs.push(rmFor(p, recursive));
      }
      return;
    }
    if (name === 'eval' || name === 'Function' || head === 'vm') {
      const code = this.literal(args.at(-1));
      if (typeof code === 'string') this.nested.push(code);
      else this.unknown(call, 'runs code built at run time');
    }
  }

  bind(decl: Node): void {
    const id = decl.id as Node;
    const init = decl.init as Node | undefined;
    const mod = this.moduleOf(init);
    if (id.type === 'Identifier') {
      const key = id.name as string;
      if (mod) this.aliases.set(key, mod);
      else if (init) this.bindings.set(key, this.bindings.has(key) ? null : init);
    } else if (id.type === 'ObjectPattern' && mod) {
      for (const p of id.properties as Node[]) {
        if (p.type === 'Property' && (p.value as Node).type === 'Identifier') this.aliases.set((p.value as Node).name as string, `${mod}.${(p.key as Node).name ?? (p.key as Node).value}`);
      }
    }
  }

  walk(root: Node): void {
    const calls: Array<[Node, boolean]> = [];
    const stack: unknown[] = [root];
    while (stack.length) {
      const n = stack.pop();
      if (Array.isArray(n)) stack.push(...n);
      else if (n && typeof n === 'object' && typeof (n as Node).type === 'string') {
        const node = n as Node;
        if (node.type === 'VariableDeclarator') this.bind(node);
        else if (node.type === 'ImportDeclaration') {
          const mod = String((node.source as Node).value);
          for (const s of node.specifiers as Node[]) {
            const local = (s.local as Node).name as string;
            this.aliases.set(local, s.type === 'ImportSpecifier' ? `${mod}.${(s.imported as Node).name}` : mod);
          }
        } else if (node.type === 'CallExpression' || node.type === 'NewExpression') calls.push([node, node.type === 'NewExpression']);
        else if (node.type === 'TaggedTemplateExpression' && this.dotted(node.tag as Node) === 'Bun.$') {
          const quasi = node.quasi as Node;
          if ((quasi.expressions as Node[]).length) this.unknown(node, 'runs a shell command built at run time');
          else this.effects.lines.push((quasi.quasis as Array<{ value: { cooked: string } }>).map((q) => q.value.cooked).join(''));
        }
        for (const [k, v] of Object.entries(node)) if (k !== 'type' && v && typeof v === 'object') stack.push(v);
      }
    }
    for (const [c, isNew] of calls) this.call(c, isNew);
  }
}

export const javascriptEffects = async (code: string, depth = 0): Promise<InlineEffects> => {
  if (!KEYWORDS.test(code)) return noEffects();
  if (depth > 4) return { ...noEffects(), unknowns: ['JavaScript nested in eval() too deeply'] };
  const { parse } = await import('acorn');
  let tree: Node;
  try {
    tree = parse(code, { ecmaVersion: 'latest', sourceType: 'module', allowAwaitOutsideFunction: true, allowReturnOutsideFunction: true, allowHashBang: true }) as unknown as Node;
  } catch {
    try {
      tree = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, allowHashBang: true }) as unknown as Node;
    } catch (err) {
      return { ...noEffects(), unknowns: [`JavaScript that cannot be parsed (${(err as Error).message})`] };
    }
  }
  const reader = new Reader(code);
  reader.walk(tree);
  for (const inner of reader.nested) {
    const e = await javascriptEffects(inner, depth + 1);
    reader.effects.argvs.push(...e.argvs);
    reader.effects.lines.push(...e.lines);
    reader.effects.unknowns.push(...e.unknowns);
  }
  return reader.effects;
};
