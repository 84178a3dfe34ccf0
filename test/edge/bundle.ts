/**
 * Loads a real built bundle (assets/edge-auth/index.js, Lambda@Edge mode; or
 * assets/edge-auth-session/index.js, the build with session mode) with a written config.json, the
 * way Lambda@Edge runs it: the bundle is copied into a fresh temp dir next to the config and
 * required. The bundles are (re)built by scripts/bundle.ts (what `npx projen bundle` runs) when
 * one is missing or older than the handler sources.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudFrontRequest, CloudFrontResultResponse } from 'aws-lambda';

const ROOT = join(__dirname, '..', '..');
export const BUNDLE = join(ROOT, 'assets', 'edge-auth', 'index.js');
export const SESSION_BUNDLE = join(ROOT, 'assets', 'edge-auth-session', 'index.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Build the edge bundles if one is missing or stale. */
export function ensureBundle(): void {
  const sources = Math.max(newestSource(join(ROOT, 'lambda-src', 'edge-auth')), newestSource(join(ROOT, 'lambda-src', 'shared')));
  if ([BUNDLE, SESSION_BUNDLE].every((b) => existsSync(b) && statSync(b).mtimeMs >= sources)) return;
  execFileSync(join(ROOT, 'node_modules', '.bin', 'ts-node'), ['-P', 'test/tsconfig.json', 'scripts/bundle.ts'], { cwd: ROOT, stdio: 'pipe' });
}

export type BundleHandler = (event: unknown) => Promise<CloudFrontRequest | CloudFrontResultResponse>;

/**
 * Copy a bundle into a temp dir with `config` as config.json (or raw text) and load it.
 * @param bundle the Lambda@Edge-mode bundle ({@link BUNDLE}, the default) or {@link SESSION_BUNDLE}
 */
export function loadBundle(config: object | string | undefined, bundle: string = BUNDLE): BundleHandler {
  ensureBundle();
  const dir = mkdtempSync(join(tmpdir(), 'edge-auth-'));
  copyFileSync(bundle, join(dir, 'index.js'));
  if (config !== undefined) writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(join(dir, 'index.js')) as { handler: BundleHandler };
  return mod.handler;
}
