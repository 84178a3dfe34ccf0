/**
 * Lambda@Edge viewer-request entry point, bundled to assets/edge-auth/index.js (Lambda@Edge mode
 * only) and assets/edge-auth-session/index.js (both modes; see scripts/bundle.ts).
 *
 * Reads `config.json` beside the bundle once, at load. When it is missing or invalid, the reason
 * (a field name, never a value) is logged once as a JSON line and every request gets a fixed 500
 * page: the function never crashes and never lets a request through unchecked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudFrontRequestEvent } from 'aws-lambda';
import { ConfigError } from './errors';
import { createHandler, createMisconfiguredHandler, EdgeHandler, EdgeResult } from './handler';
import { Logger } from './logger';
import { safeJsonParse } from '../shared/safe-json';

function load(): EdgeHandler {
  const logger = new Logger('error');
  let text: string;
  try {
    text = readFileSync(join(__dirname, 'config.json'), 'utf8');
  } catch {
    logger.error('config_invalid', { detail: 'config.json could not be read' });
    return createMisconfiguredHandler();
  }
  const raw = safeJsonParse(text);
  try {
    return createHandler(raw);
  } catch (err) {
    logger.error('config_invalid', { detail: err instanceof ConfigError ? err.field ?? err.message : 'config.json is invalid', error: err instanceof Error ? err.name : undefined });
    return createMisconfiguredHandler();
  }
}

const impl = load();

/** The viewer-request handler. */
export const handler = (event: CloudFrontRequestEvent): Promise<EdgeResult> => impl(event);
