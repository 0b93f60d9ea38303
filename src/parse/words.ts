// Small facts about shell words and redirections shared by both parsers and by unwrap.
import type { Redirect, StdinSource } from '../types.js';

/** `NAME=value` / `NAME+=value` → [NAME, value]. */
export function splitAssignment(word: string): [string, string] {
  const eq = word.indexOf('=');
  const name = word.slice(0, eq).replace(/\+$/, '');
  return [name, word.slice(eq + 1)];
}

/** The stdin a command ends up with after its redirects (the last one touching fd 0 wins). */
export function stdinFromRedirects(redirects: Redirect[], fallback: StdinSource): StdinSource {
  let stdin = fallback;
  for (const r of redirects) {
    if (r.op === '<' || r.op === '0<' || r.op === '<>' || r.op === '0<>') stdin = { kind: 'file', path: r.target };
  }
  return stdin;
}

/**
 * bash drops NUL bytes from what it reads (a script, `bash -c` text arrives without them anyway), so
 * `terra\0form destroy` runs terraform: remove them before parsing, exactly as bash does.
 */
export const withoutNul = (text: string): string => (text.includes('\u0000') ? text.replaceAll('\u0000', '') : text);

/** Largest line judged; a longer one is unknown at once (linear work, bounded memory). */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Most simple commands judged in one line (a script counts as one line); more → unknown at once. */
export const MAX_COMMANDS = 5000;
/** Characters that can start a new command (`| ; & newline ( \``); more than this many → unknown before the bash parser runs. */
export const MAX_SEPARATORS = 4 * MAX_COMMANDS;

/** What an over-long input is reported as: a short head of it, never the whole text. */
export const tooLong = (reason: string, text: string): { reason: string; text: string } => ({
  reason,
  text: text.length > 200 ? `${text.slice(0, 200)}…` : text,
});

/** Upper bound on the commands a line can hold (counts separators, quoted ones too). */
export function separatorCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 124 || c === 59 || c === 38 || c === 10 || c === 40 || c === 96) count++; // | ; & \n ( `
  }
  return count;
}

const ANSI_C_SIMPLE: Record<string, string> = {
  a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  '\\': '\\', "'": "'", '"': '"', '?': '?',
};

/** Decodes the body of a `$'…'` string the way bash does. */
export function decodeAnsiC(body: string): string {
  return body.replace(
    /\\(?:([abeEfnrtv\\'"?])|([0-7]{1,3})|x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{1,4})|U([0-9a-fA-F]{1,8})|c(.)|([\s\S]))/g,
    (match, simple?: string, octal?: string, hex?: string, u4?: string, u8?: string, control?: string) => {
      if (simple) return ANSI_C_SIMPLE[simple]!;
      if (octal) return String.fromCharCode(parseInt(octal, 8) & 0xff);
      if (hex) return String.fromCharCode(parseInt(hex, 16));
      const code = u4 ?? u8;
      if (code) {
        const point = parseInt(code, 16);
        return point <= 0x10ffff ? String.fromCodePoint(point) : match;
      }
      if (control) return String.fromCharCode(control.toUpperCase().charCodeAt(0) ^ 0x40);
      return match; // unknown escape: bash keeps the backslash
    },
  );
}

/** What `printf FORMAT` prints for a format without `%` conversions (escapes decoded as printf does). */
export const printfText = (format: string): string => decodeAnsiC(format);
