// The contract between the match stage and a payload analyzer.
import type { PayloadReader } from '../payload/reader.js';
import type { Finding } from '../types.js';

/** One payload (SQL text, an HTTP body…) and where it came from; text null when it could not be read. */
export interface Payload {
  text: string | null;
  origin: string;
  problem?: string;
}

export interface AnalyzerContext {
  cwd: string;
  env: Record<string, string | undefined>;
  /** The argv of the invocation (after wrappers), for analyzers that need more than the payload. */
  argv: string[];
  /** Reads (and hashes) any further file the payload names (`\\i file`, `query=@file`); one per verdict. */
  reader?: PayloadReader;
}

/** Judges payloads; returns findings (kind 'unknown' when a payload cannot be judged). Never throws. */
export type Analyzer = (payloads: Payload[], ctx: AnalyzerContext) => Promise<Finding[]>;
