/**
 * Loads the real built bundle (assets/edge-auth/index.js) with a written config.json, the way
 * Lambda@Edge runs it: the bundle is copied into a fresh temp dir next to the config and required.
 * The bundle is (re)built by scripts/bundle.ts (what `npx projen bundle` runs) when it is missing
 * or older than the handler sources.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudFrontRequest, CloudFrontResultResponse } from 'aws-lambda';

const ROOT = join(__dirname, '..', '..');
export const BUNDLE = join(ROOT, 'assets', 'edge-auth', 'index.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Build assets/edge-auth/index.js if it is missing or stale. */
export function ensureBundle(): void {
  const sources = Math.max(newestSource(join(ROOT, 'lambda-src', 'edge-auth')), newestSource(join(ROOT, 'lambda-src', 'shared')));
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= sources) return;
  execFileSync(join(ROOT, 'node_modules', '.bin', 'ts-node'), ['-P', 'test/tsconfig.json', 'scripts/bundle.ts'], { cwd: ROOT, stdio: 'pipe' });
}

export type BundleHandler = (event: unknown) => Promise<CloudFrontRequest | CloudFrontResultResponse>;

/** Copy the bundle into a temp dir with `config` as config.json (or raw text) and load it. */
export function loadBundle(config: object | string | undefined): BundleHandler {
  ensureBundle();
  const dir = mkdtempSync(join(tmpdir(), 'edge-auth-'));
  copyFileSync(BUNDLE, join(dir, 'index.js'));
  if (config !== undefined) writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(join(dir, 'index.js')) as { handler: BundleHandler };
  return mod.handler;
}
