// Bundle entry (dist/cli.js): run the CLI with this process's arguments.
import { setFlagsFromString } from 'node:v8';
import { main } from './cli.js';

// The WASM parsers (tree-sitter-bash, libpg-query) have huge functions that V8's optimizing tier
// compiles in the background, holding the process open for ~0.3–0.45 s after the work is done.
// Baseline-only compilation parses just as fast for our one-line inputs. Must be set before any WASM.
setFlagsFromString('--liftoff-only');

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
