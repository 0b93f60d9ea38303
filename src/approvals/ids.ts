// Request ids a human can read aloud and type: no 0/o, 1/l/i confusion.
import { randomBytes, randomInt } from 'node:crypto';

const ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
export const ID_LENGTH = 8;

/** Why: short enough to type in `blastgate approve <id>`, long enough (31^8 ≈ 8.5e11) not to collide. */
export const newRequestId = (): string => Array.from({ length: ID_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

export const isRequestId = (s: string): boolean => s.length === ID_LENGTH && [...s].every((ch) => ALPHABET.includes(ch));

/** Why: single use is tracked per nonce, which the signature covers and nobody can choose after signing. */
export const newNonce = (): string => randomBytes(16).toString('hex');
