// What inline code in another language (python -c, node -e …) would do, as things the pipeline already
// judges: argv it would run, shell lines it would run, and equivalent commands for its HTTP requests and
// file deletions (a `curl` for a POST, an `rm -rf` for shutil.rmtree). What it does with values only known
// at run time is an unknown — never silently nothing.

export interface InlineEffects {
  /** Programs the code would start, argv[0] first. */
  argvs: string[][];
  /** Shell command lines the code would hand to a shell (os.system, child_process.exec …). */
  lines: string[];
  /** Why part of the code cannot be judged (a command, URL or path built at run time; eval …). */
  unknowns: string[];
}

export const noEffects = (): InlineEffects => ({ argvs: [], lines: [], unknowns: [] });

/** A JSON-able literal value, or RUNTIME when part of it is only known at run time. */
export const RUNTIME = Symbol('runtime');
export type Literal = string | number | boolean | null | Literal[] | { [key: string]: Literal } | typeof RUNTIME;

export const hasRuntime = (v: Literal): boolean =>
  v === RUNTIME || (Array.isArray(v) ? v.some(hasRuntime) : v !== null && typeof v === 'object' ? Object.values(v).some(hasRuntime) : false);

/** The curl command that sends the same request, so the curl ruleset and its analyzers judge it. */
export const curlFor = (method: string, url: string, body: string | null, headers: Record<string, string>): string[] => {
  const argv = ['curl', '-X', method.toUpperCase(), url];
  for (const [k, v] of Object.entries(headers)) argv.push('-H', `${k}: ${v}`);
  if (body !== null) argv.push('--data-raw', body);
  return argv;
};

/** The rm that deletes the same path. */
export const rmFor = (path: string, recursive: boolean): string[] => (recursive ? ['rm', '-rf', '--', path] : ['rm', '-f', '--', path]);
