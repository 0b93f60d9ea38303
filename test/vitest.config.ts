// vitest settings (kept under test/: the top level holds only bin/, src/, rulesets/, test/ and the manifests).
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: join(import.meta.dirname, '..'),
  test: {
    // One temp dir per run, removed at the end: the suite leaves /tmp as it found it.
    globalSetup: ['test/helpers/global-tmp.ts'],
  },
});
