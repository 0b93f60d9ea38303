// Put blastgate's hook into a harness's settings object, take it out, or say whether it is there: pure
// functions on parsed JSON, so every other key of the user's file survives untouched.
import { isDeepStrictEqual } from 'node:util';
import { isBlastgateCommand, type HarnessTarget } from './targets.js';

type Json = Record<string, unknown>;

/** The settings file is JSON but not shaped as the harness expects; the message names the key. */
export class SettingsShapeError extends Error {}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const hooksOf = (settings: Json): Json => {
  if (settings.hooks === undefined) return {};
  if (!isObject(settings.hooks)) throw new SettingsShapeError('"hooks" is not an object');
  return settings.hooks;
};

const listOf = (hooks: Json, event: string): unknown[] => {
  const v = hooks[event];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new SettingsShapeError(`"hooks.${event}" is not a list`);
  return v;
};

const ours = (handler: unknown, harness: string) => isObject(handler) && isBlastgateCommand(handler.command, harness);

/** Handlers of a matcher-style group (`{ matcher, hooks: [...] }`), or null for anything else. */
const groupHandlers = (group: unknown): unknown[] | null => (isObject(group) && Array.isArray(group.hooks) ? group.hooks : null);

/** Every entry of one event with blastgate's handlers taken out; groups left empty by that are dropped. */
const withoutOurs = (list: unknown[], target: HarnessTarget, matcherStyle: boolean): { kept: unknown[]; firstAt: number } => {
  const kept: unknown[] = [];
  let firstAt = -1;
  for (const entry of list) {
    if (!matcherStyle) {
      if (ours(entry, target.name)) {
        if (firstAt < 0) firstAt = kept.length;
      } else kept.push(entry);
      continue;
    }
    const handlers = groupHandlers(entry);
    if (!handlers || !handlers.some((h) => ours(h, target.name))) {
      kept.push(entry);
      continue;
    }
    if (firstAt < 0) firstAt = kept.length;
    const rest = handlers.filter((h) => !ours(h, target.name));
    if (rest.length > 0) kept.push({ ...(entry as Json), hooks: rest });
  }
  return { kept, firstAt };
};

const desiredEntry = (target: HarnessTarget, matcher: string | undefined, command: string): unknown =>
  matcher === undefined ? target.handler(command) : { matcher, hooks: [target.handler(command)] };

/** The settings with blastgate's hook present exactly once per event (the same object back when it already is). */
export const withHook = (settings: Json, target: HarnessTarget, command: string): Json => {
  const hooks = hooksOf(settings);
  const next: Json = { ...hooks };
  let changed = false;
  for (const { event, matcher } of target.events) {
    const list = listOf(hooks, event);
    const want = desiredEntry(target, matcher, command);
    const { kept, firstAt } = withoutOurs(list, target, matcher !== undefined);
    const alreadyExact = list.length === kept.length + 1 && list.some((e) => isDeepStrictEqual(e, want));
    if (alreadyExact) continue;
    const at = firstAt >= 0 ? firstAt : kept.length;
    next[event] = [...kept.slice(0, at), want, ...kept.slice(at)];
    changed = true;
  }
  if (!changed) return settings;
  return { ...(settings.hooks === undefined ? target.skeleton : {}), ...settings, hooks: next };
};

/** The settings without any blastgate hook for this harness; empty lists and an emptied `hooks` go too. */
export const withoutHook = (settings: Json, target: HarnessTarget): Json => {
  const hooks = hooksOf(settings);
  const next: Json = { ...hooks };
  let changed = false;
  for (const { event, matcher } of target.events) {
    const list = listOf(hooks, event);
    const { kept } = withoutOurs(list, target, matcher !== undefined);
    if (kept.length === list.length && kept.every((e, i) => e === list[i])) continue;
    changed = true;
    if (kept.length > 0) next[event] = kept;
    else delete next[event];
  }
  if (!changed) return settings;
  const out: Json = { ...settings, hooks: next };
  if (Object.keys(next).length === 0) delete out.hooks;
  return out;
};

export interface HookStatus {
  /** Events whose list has no blastgate handler. */
  missing: string[];
  /** Events whose blastgate handler lacks the harness's fail-closed switch. */
  failOpen: string[];
}

/** What doctor needs to know: is the hook still there, and does it still fail closed? */
export const hookStatus = (settings: Json, target: HarnessTarget): HookStatus => {
  const hooks = hooksOf(settings);
  const status: HookStatus = { missing: [], failOpen: [] };
  for (const { event, matcher } of target.events) {
    const list = listOf(hooks, event);
    const handlers = matcher === undefined ? list : list.flatMap((g) => groupHandlers(g) ?? []);
    const mine = handlers.filter((h): h is Json => ours(h, target.name));
    if (mine.length === 0) status.missing.push(event);
    else if (!mine.every((h) => Object.entries(target.failClosed).every(([k, v]) => isDeepStrictEqual(h[k], v)))) status.failOpen.push(event);
  }
  return status;
};
