// Where the bash grammar's .wasm is: shipped in dist/grammars/ by the build (so the installed package needs
// neither tree-sitter-bash nor its native install script), or from node_modules when running from source.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GRAMMAR_DIR = 'grammars';

const shippedOr = (file: string, pkg: string, require: NodeRequire): string => {
  const shipped = join(dirname(fileURLToPath(import.meta.url)), GRAMMAR_DIR, file);
  return existsSync(shipped) ? shipped : require.resolve(`${pkg}/${file}`);
};

/** web-tree-sitter's own runtime .wasm. */
export const treeSitterRuntimeWasm = (require: NodeRequire): string => shippedOr('web-tree-sitter.wasm', 'web-tree-sitter', require);

/** The bash grammar. */
export const bashGrammarWasm = (require: NodeRequire): string => shippedOr('tree-sitter-bash.wasm', 'tree-sitter-bash', require);

/** The Python grammar (for `python -c` and scripts). */
export const pythonGrammarWasm = (require: NodeRequire): string => shippedOr('tree-sitter-python.wasm', 'tree-sitter-python', require);
