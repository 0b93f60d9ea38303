// The engine shared by every hot command (check, hook, run): built once as dist/core.js so that each
// command bundle requires it instead of carrying its own copy.
export * from './engine.js';
export * from './pipeline.js';
