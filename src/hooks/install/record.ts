// Which settings files `hook install` wrote, so `doctor` can tell "the hook was dropped" from "never
// installed". The record sits in the user's state dir: an agent that deletes it only turns doctor's
// "dropped" failure into an "is not gated" note; it cannot make a missing hook look present.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface InstalledHook {
  harness: string;
  file: string;
}

const recordFile = (stateDir: string) => join(stateDir, 'hooks-installed.json');

export const readInstalledHooks = (stateDir: string): InstalledHook[] => {
  try {
    const data: unknown = JSON.parse(readFileSync(recordFile(stateDir), 'utf8'));
    return Array.isArray(data) ? data.filter((e): e is InstalledHook => typeof e?.harness === 'string' && typeof e?.file === 'string') : [];
  } catch {
    return [];
  }
};

/** Add or drop one entry; a record that cannot be written is not worth failing the install for. */
export const recordInstalledHook = (stateDir: string, entry: InstalledHook, present: boolean): void => {
  const rest = readInstalledHooks(stateDir).filter((e) => e.harness !== entry.harness || e.file !== entry.file);
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(recordFile(stateDir), `${JSON.stringify(present ? [...rest, entry] : rest, null, 2)}\n`);
  } catch {
    // doctor then reports "not gated" instead of "dropped": weaker wording, same fix
  }
};
