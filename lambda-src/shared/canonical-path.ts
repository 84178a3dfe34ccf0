/**
 * The canonical-path rule of design §4.9, for both edge functions: the Lambda@Edge handler (through
 * lambda-src/edge-auth/canonical-path.ts) and the session-mode CloudFront Function. The code lives in
 * src/private/canonical-path.ts, with the configuration contract, which checks path patterns against
 * the same canonical form at synth, deploy and load.
 */
export { canonicalPath, isCanonicalFast, MAX_CANONICAL_PATH_LENGTH as MAX_PATH_LENGTH } from '../../src/private/canonical-path';
