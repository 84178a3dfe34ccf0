import * as fs from 'node:fs';
import * as path from 'node:path';
import { ValidationError } from './errors';

/**
 * Directory of a pre-built handler bundle under `assets/` (built by `npx projen bundle` before
 * compile, shipped in the npm package). Works from `lib/private` (compiled) and `src/private`
 * (ts-jest), which are both two levels below the package root.
 */
export function assetDir(name: 'edge-auth' | 'edge-auth-session' | 'config-injector' | 'viewer-function'): string {
  const dir = path.join(__dirname, '..', '..', 'assets', name);
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new ValidationError(`the handler bundle ${dir}/index.js is missing; ` +
      'in a clone of the repository run `npx projen bundle` (the npm package ships it pre-built)');
  }
  return dir;
}
