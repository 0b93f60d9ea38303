// Python code (`python -c`, `python - <<EOF`, a script file) read with the real Python grammar
// (tree-sitter-python on web-tree-sitter, loaded only when such code appears) for what it would do:
// processes it starts (subprocess, os.system, os.exec*/spawn*, pty, asyncio), HTTP requests it sends
// (requests, httpx, urllib) and files it deletes (shutil.rmtree, os.remove, Path.unlink).
import { createRequire } from 'node:module';
import type { Node, Parser } from 'web-tree-sitter';
import { pythonGrammarWasm, treeSitterRuntimeWasm } from '../io/grammar-files.js';
import { useBaselineWasm } from '../io/wasm-baseline.js';
import { curlFor, hasRuntime, noEffects, rmFor, RUNTIME, type InlineEffects, type Literal } from './types.js';

let parserPromise: Promise<Parser> | undefined;
const loadPython = (): Promise<Parser> =>
  (parserPromise ??= (async () => {
    useBaselineWasm();
    const { Parser: P, Language } = await import('web-tree-sitter');
    const require = createRequire(import.meta.url);
    await P.init({ locateFile: () => treeSitterRuntimeWasm(require) });
    const parser = new P();
    parser.setLanguage(await Language.load(pythonGrammarWasm(require)));
    return parser;
  })());

const PROCESS_ARGV = new Set(['subprocess.run', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output', 'subprocess.Popen', 'pty.spawn', 'asyncio.create_subprocess_exec']);
const PROCESS_LINE = new Set(['os.system', 'os.popen', 'subprocess.getoutput', 'subprocess.getstatusoutput', 'asyncio.create_subprocess_shell', 'commands.getoutput']);
const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);
const HTTP_MODULES = new Set(['requests', 'httpx']);
const CODE_RUNNERS = new Set(['eval', 'exec', 'compile', '__import__', 'importlib.import_module', 'runpy.run_path', 'runpy.run_module']);
const FILE_DELETE: Record<string, boolean> = { 'shutil.rmtree': true, 'os.remove': false, 'os.unlink': false };

const unescape = (s: string, raw: boolean): string =>
  raw ? s : s.replace(/\\(["'\\nrt0])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '0': '\0' })[c] ?? c);

class Reader {
  /** Import aliases: local name → dotted module path (`sp` → `subprocess`, `run` → `subprocess.run`). */
  aliases = new Map<string, string>();
  /** Module-level `NAME = <expression>` bindings (the last one wins; a name bound twice is run-time). */
  bindings = new Map<string, Node | null>();
  effects: InlineEffects = noEffects();

  constructor(private readonly source: string) {}

  text(n: Node): string {
    return this.source.slice(n.startIndex, n.endIndex);
  }

  dotted(n: Node | null): string | null {
    if (!n) return null;
    if (n.type === 'identifier') {
      const name = this.text(n);
      return this.aliases.get(name) ?? name;
    }
    if (n.type === 'attribute') {
      const base = this.dotted(n.childForFieldName('object'));
      const attr = n.childForFieldName('attribute');
      return base && attr ? `${base}.${this.text(attr)}` : null;
    }
    return null;
  }

  literal(n: Node | null, depth = 0): Literal {
    if (!n || depth > 20) return RUNTIME;
    switch (n.type) {
      case 'string': {
        if (n.namedChildren.some((c) => c?.type === 'interpolation')) return RUNTIME;
        const prefix = this.text(n).match(/^[a-zA-Z]*/)![0].toLowerCase();
        if (prefix.includes('b')) return RUNTIME;
        return n.namedChildren.filter((c) => c?.type === 'string_content').map((c) => unescape(this.text(c!), prefix.includes('r'))).join('');
      }
      case 'concatenated_string': {
        const parts = n.namedChildren.map((c) => this.literal(c, depth + 1));
        return parts.every((p) => typeof p === 'string') ? parts.join('') : RUNTIME;
      }
      case 'integer':
      case 'float':
        return Number(this.text(n).replace(/_/g, ''));
      case 'true':
        return true;
      case 'false':
        return false;
      case 'none':
        return null;
      case 'list':
      case 'tuple':
        return n.namedChildren.map((c) => this.literal(c, depth + 1));
      case 'dictionary': {
        const out: Record<string, Literal> = {};
        for (const pair of n.namedChildren) {
          if (pair?.type !== 'pair') return RUNTIME;
          const k = this.literal(pair.childForFieldName('key'), depth + 1);
          if (typeof k !== 'string') return RUNTIME;
          out[k] = this.literal(pair.childForFieldName('value'), depth + 1);
        }
        return out;
      }
      case 'parenthesized_expression':
        return this.literal(n.namedChildren[0] ?? null, depth + 1);
      case 'identifier': {
        const bound = this.bindings.get(this.text(n));
        return bound ? this.literal(bound, depth + 1) : RUNTIME;
      }
      default:
        return RUNTIME;
    }
  }

  args(call: Node): { positional: Node[]; keyword: Map<string, Node> } {
    const positional: Node[] = [];
    const keyword = new Map<string, Node>();
    const list = call.childForFieldName('arguments');
    for (const a of list?.namedChildren ?? []) {
      if (!a) continue;
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name');
        const value = a.childForFieldName('value');
        if (name && value) keyword.set(this.text(name), value);
      } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
        positional.push(a);
      } else positional.push(a);
    }
    return { positional, keyword };
  }

  unknown(call: Node, why: string): void {
    this.effects.unknowns.push(`${why}: ${this.text(call).slice(0, 120)}`);
  }

  stringList(v: Literal): string[] | null {
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  }

  process(name: string, call: Node): void {
    const { positional, keyword } = this.args(call);
    if (PROCESS_LINE.has(name)) {
      const line = this.literal(positional[0] ?? keyword.get('cmd') ?? null);
      if (typeof line === 'string') this.effects.lines.push(line);
      else this.unknown(call, 'runs a shell command built at run time');
      return;
    }
    if (name === 'asyncio.create_subprocess_exec') {
      const words = positional.map((p) => this.literal(p));
      const argv = this.stringList(words);
      if (argv) this.effects.argvs.push(argv);
      else this.unknown(call, 'starts a program built at run time');
      return;
    }
    const first = this.literal(positional[0] ?? keyword.get('args') ?? null);
    const shell = keyword.get('shell');
    const shellOn = shell ? this.literal(shell) : false;
    if (shellOn === RUNTIME) return this.unknown(call, 'shell= is only known at run time');
    if (typeof first === 'string') {
      if (shellOn === true) this.effects.lines.push(first);
      else this.effects.argvs.push([first]);
      return;
    }
    const argv = this.stringList(first);
    if (!argv || argv.length === 0) return this.unknown(call, 'starts a program built at run time');
    if (shellOn === true) this.effects.lines.push(argv[0]!);
    else this.effects.argvs.push(argv);
  }

  exec(name: string, call: Node): void {
    // os.execv(path, args) / os.execl(path, arg0, arg1…) / os.spawnv(mode, path, args) …
    const { positional } = this.args(call);
    const rest = name.startsWith('os.spawn') ? positional.slice(1) : positional;
    const path = this.literal(rest[0] ?? null);
    const vectorForm = /^os\.(exec|spawn)v/.test(name);
    const words = vectorForm ? this.literal(rest[1] ?? null) : rest.slice(1).filter((n) => n.type !== 'dictionary').map((n) => this.literal(n));
    const argv = this.stringList(words);
    if (typeof path !== 'string' || !argv) return this.unknown(call, 'replaces or starts a process built at run time');
    this.effects.argvs.push([path, ...argv.slice(1)]);
  }

  http(method: string, call: Node, urlArgIndex: number): void {
    const { positional, keyword } = this.args(call);
    const url = this.literal(positional[urlArgIndex] ?? keyword.get('url') ?? null);
    const json = keyword.get('json');
    const data = keyword.get('data') ?? keyword.get('content');
    const headersNode = keyword.get('headers');
    const headers = headersNode ? this.literal(headersNode) : null;
    let body: string | null = null;
    if (json) {
      const v = this.literal(json);
      if (hasRuntime(v)) return this.unknown(call, 'sends a JSON body built at run time');
      body = JSON.stringify(v);
    } else if (data) {
      const v = this.literal(data);
      if (hasRuntime(v)) return this.unknown(call, 'sends a body built at run time');
      body = typeof v === 'string' ? v : v && typeof v === 'object' && !Array.isArray(v) ? new URLSearchParams(Object.entries(v).map(([k, x]) => [k, String(x)])).toString() : JSON.stringify(v);
    }
    if (typeof url !== 'string') return this.unknown(call, 'sends an HTTP request to a URL built at run time');
    const h: Record<string, string> = {};
    if (headers && typeof headers === 'object' && !Array.isArray(headers)) for (const [k, v] of Object.entries(headers)) h[k] = typeof v === 'string' ? v : '$RUNTIME';
    if (json) h['Content-Type'] ??= 'application/json';
    this.effects.argvs.push(curlFor(method, url, body, h));
  }

  urlopen(call: Node): void {
    const { positional, keyword } = this.args(call);
    let target = positional[0] ?? keyword.get('url') ?? null;
    if (target?.type === 'identifier') target = this.bindings.get(this.text(target)) ?? target;
    if (target?.type === 'call' && this.dotted(target.childForFieldName('function'))?.endsWith('Request')) {
      const r = this.args(target);
      const url = this.literal(r.positional[0] ?? r.keyword.get('url') ?? null);
      const dataNode = r.positional[1] ?? r.keyword.get('data') ?? keyword.get('data') ?? null;
      const methodNode = r.keyword.get('method');
      const method = methodNode ? this.literal(methodNode) : null;
      const data = dataNode ? this.literalBytes(dataNode) : null;
      const headersNode = r.keyword.get('headers') ?? r.positional[2];
      const headers = headersNode ? this.literal(headersNode) : null;
      if (typeof url !== 'string' || data === RUNTIME || (method !== null && typeof method !== 'string')) return this.unknown(call, 'sends an HTTP request built at run time');
      const h: Record<string, string> = {};
      if (headers && typeof headers === 'object' && !Array.isArray(headers)) for (const [k, v] of Object.entries(headers)) h[k] = typeof v === 'string' ? v : '$RUNTIME';
      this.effects.argvs.push(curlFor((method as string | null) ?? (data !== null ? 'POST' : 'GET'), url, data as string | null, h));
      return;
    }
    const url = this.literal(target);
    const data = keyword.get('data') ?? positional[1];
    if (typeof url !== 'string') return this.unknown(call, 'opens a URL built at run time');
    const body = data ? this.literalBytes(data) : null;
    if (body === RUNTIME) return this.unknown(call, 'sends a body built at run time');
    this.effects.argvs.push(curlFor(body !== null ? 'POST' : 'GET', url, body as string | null, {}));
  }

  /** `b'…'`, `'…'.encode()`, `json.dumps({...}).encode()` and `urlencode({...}).encode()` as text. */
  literalBytes(n: Node): string | typeof RUNTIME {
    const text = this.text(n);
    const bytes = /^[bB]([rR]?)(['"])([\s\S]*)\2$/.exec(text);
    if (bytes && !/\{/.test(text.slice(0, 2))) return unescape(bytes[3]!, bytes[1] !== '');
    let inner: Node | null = n;
    if (n.type === 'call' && this.text(n.childForFieldName('function') ?? n).endsWith('.encode')) inner = n.childForFieldName('function')?.childForFieldName('object') ?? null;
    if (inner?.type === 'call') {
      const fn = this.dotted(inner.childForFieldName('function'));
      const arg = this.literal(this.args(inner).positional[0] ?? null);
      if (hasRuntime(arg)) return RUNTIME;
      if (fn === 'json.dumps') return JSON.stringify(arg);
      if (fn?.endsWith('urlencode') && arg && typeof arg === 'object' && !Array.isArray(arg)) return new URLSearchParams(Object.entries(arg).map(([k, v]) => [k, String(v)])).toString();
      return RUNTIME;
    }
    const v = this.literal(inner);
    return typeof v === 'string' ? v : RUNTIME;
  }

  call(call: Node): void {
    const fn = call.childForFieldName('function');
    const name = this.dotted(fn);
    if (!name) {
      // `Path('x').unlink()` and friends: a method on a constructed object.
      if (fn?.type === 'attribute') {
        const obj = fn.childForFieldName('object');
        const attr = this.text(fn.childForFieldName('attribute')!);
        if (obj?.type === 'call' && /(^|\.)Path$/.test(this.dotted(obj.childForFieldName('function')) ?? '') && attr === 'unlink') {
          const p = this.literal(this.args(obj).positional[0] ?? null);
          if (typeof p === 'string') this.effects.argvs.push(rmFor(p, false));
          else this.unknown(call, 'deletes a path built at run time');
        }
      }
      return;
    }
    if (PROCESS_ARGV.has(name) || PROCESS_LINE.has(name)) return this.process(name, call);
    if (/^os\.(exec[lv]p?e?|spawn[lv]p?e?)$/.test(name)) return this.exec(name, call);
    if (name in FILE_DELETE) {
      const p = this.literal(this.args(call).positional[0] ?? null);
      if (typeof p === 'string') this.effects.argvs.push(rmFor(p, FILE_DELETE[name]!));
      else this.unknown(call, 'deletes a path built at run time');
      return;
    }
    const [mod, ...rest] = name.split('.');
    const method = rest.at(-1) ?? '';
    if (HTTP_MODULES.has(mod!) && HTTP_METHODS.has(method)) return this.http(method, call, 0);
    if (HTTP_MODULES.has(mod!) && method === 'request') {
      const m = this.literal(this.args(call).positional[0] ?? null);
      if (typeof m !== 'string') return this.unknown(call, 'sends an HTTP request with a method chosen at run time');
      return this.http(m, call, 1);
    }
    if (name === 'urllib.request.urlopen' || name === 'urlopen') return this.urlopen(call);
    if (CODE_RUNNERS.has(name)) {
      const code = this.literal(this.args(call).positional[0] ?? null);
      if (typeof code === 'string' && (name === 'exec' || name === 'eval')) this.nested.push(code);
      else this.unknown(call, 'runs code chosen at run time');
    }
  }

  nested: string[] = [];

  walk(root: Node): void {
    const stack: Node[] = [root];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'import_statement' || n.type === 'import_from_statement') this.imports(n);
      else if (n.type === 'assignment') {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (left?.type === 'identifier' && right) {
          const key = this.text(left);
          this.bindings.set(key, this.bindings.has(key) ? null : right);
        }
      }
      for (let i = n.namedChildCount - 1; i >= 0; i--) {
        const c = n.namedChild(i);
        if (c) stack.push(c);
      }
    }
    const calls: Node[] = [];
    const s2: Node[] = [root];
    while (s2.length) {
      const n = s2.pop()!;
      if (n.type === 'call') calls.push(n);
      for (let i = n.namedChildCount - 1; i >= 0; i--) {
        const c = n.namedChild(i);
        if (c) s2.push(c);
      }
    }
    for (const c of calls) this.call(c);
  }

  imports(n: Node): void {
    if (n.type === 'import_statement') {
      for (const c of n.namedChildren) {
        if (c?.type === 'aliased_import') this.aliases.set(this.text(c.childForFieldName('alias')!), this.text(c.childForFieldName('name')!));
      }
      return;
    }
    const module = this.text(n.childForFieldName('module_name')!);
    for (const c of n.childrenForFieldName('name')) {
      if (!c) continue;
      if (c.type === 'aliased_import') this.aliases.set(this.text(c.childForFieldName('alias')!), `${module}.${this.text(c.childForFieldName('name')!)}`);
      else this.aliases.set(this.text(c), `${module}.${this.text(c)}`);
    }
  }
}

/** Sound prefilter: without one of these names the code cannot reach any call judged above. */
const KEYWORDS = /subprocess|system|popen|exec|spawn|pty|asyncio|requests|httpx|urlopen|urllib|rmtree|remove|unlink|eval|compile|import|runpy|commands/;

export const pythonEffects = async (code: string, depth = 0): Promise<InlineEffects> => {
  if (!KEYWORDS.test(code)) return noEffects();
  if (depth > 4) return { ...noEffects(), unknowns: ['Python code nested in exec() too deeply'] };
  const parser = await loadPython();
  const tree = parser.parse(code);
  if (!tree) return { ...noEffects(), unknowns: ['the Python parser gave no result'] };
  const reader = new Reader(code);
  if (tree.rootNode.hasError) reader.effects.unknowns.push('Python code with syntax errors (python would refuse it, or it hides calls)');
  reader.walk(tree.rootNode);
  tree.delete();
  for (const inner of reader.nested) {
    const e = await pythonEffects(inner, depth + 1);
    reader.effects.argvs.push(...e.argvs);
    reader.effects.lines.push(...e.lines);
    reader.effects.unknowns.push(...e.unknowns);
  }
  return reader.effects;
};
