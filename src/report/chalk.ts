// chalk bundled into its own lazy bundle (chalk 5 is ESM-only; our bundles are CommonJS).
export { default as chalk } from 'chalk';
