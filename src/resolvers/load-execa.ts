// execa for the resolvers' helper processes, reached only through `await import('./load-execa.js')`.
// The build gives each relative dynamic import its own CommonJS bundle, so execa is bundled once and loads
// only when a resolver is about to run a process; a bare `import('execa')` would stay external and go
// through Node's ESM loader from node_modules (≈ 100 ms instead of ≈ 20).

/** Why: one lazily loaded copy of execa shared by every resolver that runs a process. */
export { execa } from 'execa';
