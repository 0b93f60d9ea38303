// The GraphQL parser alone (not the whole `graphql` package), behind a module of its own so the build gives it
// a bundle of its own: it loads only when a request body may hold a mutation.
export { parse } from 'graphql/language/parser.mjs';
