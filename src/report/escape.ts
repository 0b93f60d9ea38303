// Nothing the caller controls reaches a terminal raw. argv, SQL, GraphQL, file names and resolver output can
// carry ESC sequences (cursor-up, erase-line, conceal), a CR that overwrites a line, or bidi overrides and
// zero-width characters that make the text read differently from what runs. Every such character is shown
// as a visible escape (`\x1b`, `\r`, `\u202e`), so what the human reads is what runs.

// C0 controls, DEL, C1 controls; bidi embeddings/overrides/isolates and marks; zero-width and invisible
// formatting characters; line/paragraph separators; the BOM; interlinear annotation and tag characters.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]|\udb40[\udc00-\udc7f]/g;
const UNSAFE_TEST = new RegExp(UNSAFE.source);

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escapeChar = (ch: string): string => {
  if (NAMED[ch]) return NAMED[ch]!;
  const cp = ch.codePointAt(0)!;
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
};

/** Does the text hold anything a terminal would act on or hide? */
export const hasUnsafe = (text: string): boolean => UNSAFE_TEST.test(text);

/** Why: one line of caller-controlled text, safe for a terminal: every control or invisible character shown. */
export const visible = (text: string): string => text.replace(UNSAFE, escapeChar);

/** Same, keeping line breaks (a heredoc or SQL shown over several lines); CR and the rest stay visible. */
export const visibleLines = (text: string): string => text.split('\n').map(visible).join('\n');

/** Any value: strings made visible, arrays and plain objects walked (for panels built from resolver output). */
export const visibleValue = <T>(value: T): T => {
  if (typeof value === 'string') return visible(value) as T;
  if (Array.isArray(value)) return value.map(visibleValue) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [visible(k), visibleValue(v)])) as T;
  }
  return value;
};

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** bash's `$'…'` form: the only quoting that can show a control character and still paste back exactly. */
const ansiC = (w: string): string => `$'${w.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(UNSAFE, escapeChar)}'`;

/**
 * Why: show argv the way a shell would need it typed: bare when safe, single-quoted otherwise, and
 * `$'…'` with visible escapes when a word holds a control or invisible character.
 */
export const shellQuote = (argv: readonly string[]): string =>
  argv.map((w) => (w !== '' && SAFE_WORD.test(w) ? w : hasUnsafe(w) ? ansiC(w) : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
