// The WASM parsers (tree-sitter-bash, libpg-query) have huge functions that V8's optimizing tier
// compiles in the background, holding the process open for ~0.3–0.45 s after the work is done.
// Baseline-only (Liftoff) compilation parses just as fast for our inputs. Set before any WASM loads;
// node:v8 is loaded only here because importing it at start-up costs ~5 ms.
import { setFlagsFromString } from 'node:v8';

let done = false;
export const useBaselineWasm = (): void => {
  if (done) return;
  done = true;
  setFlagsFromString('--liftoff-only');
};
