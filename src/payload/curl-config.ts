// A curl config file (`-K FILE`, ~/.curlrc) as the command-line words curl reads from it (curl(1) -K):
// one option per line, `name = value`, `name: value`, `name value` or `--name value`; `#` comments;
// double-quoted values with \\ \" \t \n \r \v escapes. `url = X` is a URL, like a positional.

/** Words of a config file; `includes` / `includeDirs` name more files read in its place (my.cnf `!include`). */
export type ConfigWords = { words: string[]; includes?: string[]; includeDirs?: string[] } | { problem: string };

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', v: '\v' };

const quoted = (line: string, start: number): { value: string; end: number } | null => {
  let out = '';
  for (let i = start + 1; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') return { value: out, end: i + 1 };
    if (c === '\\' && i + 1 < line.length) {
      const e = line[++i]!;
      out += ESCAPES[e] ?? e; // curl: a backslash before any other letter is dropped
    } else out += c;
  }
  return null;
};

/** `takesValue(--name)`: whether the option (long spelling with dashes) takes a parameter. */
export const curlConfigWords = (text: string, takesValue: (flag: string) => boolean): ConfigWords => {
  const words: string[] = [];
  for (const [n, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const dashed = line.startsWith('-');
    const nameEnd = dashed ? line.search(/[ \t]|$/) : line.search(/[ \t=:]|$/);
    const name = line.slice(0, nameEnd);
    const flag = dashed ? name : `--${name}`;
    let i = nameEnd;
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    if (!dashed && (line[i] === '=' || line[i] === ':')) i++;
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    let value: string | null = null;
    if (i < line.length) {
      if (line[i] === '"') {
        const q = quoted(line, i);
        if (!q) return { problem: `line ${n + 1}: unterminated quote` };
        value = q.value;
      } else value = line.slice(i).split(/[ \t]/)[0]!;
    }
    if (flag === '--url') {
      if (value === null) return { problem: `line ${n + 1}: url without a value` };
      words.push(value);
    } else if (takesValue(flag)) {
      if (value === null) return { problem: `line ${n + 1}: ${name} needs a value` };
      words.push(flag, value);
    } else words.push(flag); // curl ignores (and warns about) a value given to a switch
  }
  return { words };
};
