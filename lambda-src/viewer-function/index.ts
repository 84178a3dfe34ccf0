/**
 * CloudFront Function (JavaScript runtime 2.0, viewer request) of session mode, bundled to
 * assets/viewer-function/index.js by scripts/bundle.ts.
 *
 * The build turns this module into what the runtime expects: ES module imports of `cloudfront` and
 * `crypto` only, no export, and a top-level `async function handler(event)`. Its configuration is
 * the global `__CEA_VIEWER_CONFIG__`, replaced by a JSON literal when the function is created
 * (lambda-src/shared/viewer-config.ts, `injectViewerConfig`). scripts/check-viewer-function.ts
 * checks the result against the runtime's documented syntax and APIs.
 */
// The runtime's own module (declared in cloudfront.d.ts); the build leaves the import in place.
// eslint-disable-next-line import/no-unresolved
import cf from 'cloudfront';
import { prepareViewer, viewerRequest } from './viewer';
import type { ViewerConfig } from '../shared/viewer-config';

declare const __CEA_VIEWER_CONFIG__: ViewerConfig;

const viewer = prepareViewer(__CEA_VIEWER_CONFIG__);
const store = cf.kvs();

export async function handler(event: unknown): Promise<unknown> {
  return viewerRequest(event, viewer, store);
}
