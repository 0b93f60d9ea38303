// One time format for people (UTC, to the second, saying so); `--json` and files keep ISO 8601.

/** Why: `16:17` in one place and `2026-12-06T16:17:20.904Z` in another read like two different clocks. */
export const humanTime = (iso: string): string => {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return 'unknown time';
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
};
