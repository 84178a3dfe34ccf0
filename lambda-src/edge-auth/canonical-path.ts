/**
 * The canonical-path rule of design §4.9. It lives in lambda-src/shared/canonical-path.ts so that
 * the Lambda@Edge handler and the session-mode viewer function (CloudFront Functions) decide on one
 * code; this module keeps the handler's import path.
 */
export { canonicalPath, isCanonicalFast, MAX_PATH_LENGTH } from '../shared/canonical-path';
