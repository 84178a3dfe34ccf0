/**
 * Prototype-safe JSON parsing for untrusted text (config.json, upstream responses, `state`).
 *
 * Uses aws-jwt-verify's parser (already in the bundle), which drops `__proto__` and `constructor`
 * keys so a parsed object can never pollute a prototype. Returns `unknown`: callers narrow the
 * value with the helpers in `assert.ts`.
 */
import { safeJsonParse as jwtVerifySafeJsonParse } from 'aws-jwt-verify/safe-json-parse';

/** Parse `text` as JSON; `undefined` when it is not valid JSON (never throws). */
export function safeJsonParse(text: string): unknown {
  try {
    return jwtVerifySafeJsonParse(text);
  } catch {
    return undefined;
  }
}
