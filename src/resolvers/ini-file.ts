// A small INI reader for the cloud CLIs' config files (~/.aws/config, gcloud configurations): sections of
// `key = value` lines; comments start with # or ;. Unreadable or malformed input gives an empty result.
import { readFileSync } from 'node:fs';

export type Ini = Record<string, Record<string, string>>;

export const readIni = (file: string): Ini | null => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const out: Ini = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) {
      section = head[1]!.trim();
      out[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) (out[section] ??= {})[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
};
