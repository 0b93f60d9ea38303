// graphql 16 ships types only for its CommonJS files; its ESM parser (smaller, faster to load) has the same API.
declare module 'graphql/language/parser.mjs' {
  export { parse } from 'graphql/language/parser.js';
}
