/**
 * Bundles the Lambda handlers into their fixed paths (design §3) with esbuild:
 * - assets/edge-auth/index.js: lambda-src/edge-auth, aws-jwt-verify included, minified, built
 *   without session mode (see {@link EDGE_AUTH_BUILD}), so Lambda@Edge mode does not carry it;
 * - assets/edge-auth-session/index.js: the same sources with session mode (the construct ships it
 *   when `viewerCheck` is the CloudFront Function);
 * - assets/config-injector/index.js: lambda-src/config-injector, the AWS SDK left to the runtime
 *   except the KeyValueStore client and the SigV4A signer (see {@link CONFIG_INJECTOR_BUNDLED_SDK});
 * - assets/viewer-function/index.js: lambda-src/viewer-function, the CloudFront Function of session
 *   mode (JavaScript runtime 2.0), checked by scripts/check-viewer-function.ts.
 * - assets/viewer-function/config.js: lambda-src/shared/viewer-config.ts as a CommonJS module, which
 *   the construct loads at synth to configure the viewer function (jsii compiles only src/).
 * - assets/cli/index.js: lambda-src/cli, the `cdk-cognito-edge-auth` command (package.json `bin`),
 *   with its AWS SDK clients bundled in (users' machines need not have them).
 * The `bundle` task runs this before compile; the bench imports the same settings, so what it
 * measures is what ships.
 *
 * Usage: ts-node -P test/tsconfig.json scripts/bundle.ts
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, BuildOptions, Plugin } from 'esbuild';
import { checkViewerFunction } from './check-viewer-function';

const ROOT = join(__dirname, '..');

/**
 * aws-jwt-verify ships an HTTPS fetcher (node:https + node:stream) for its default JWKS cache.
 * The edge handler never uses it: the key set comes from config.json, and its own JWKS cache
 * refetches through global `fetch` (lambda-src/edge-auth/jwks-cache.ts). Loading node:https and
 * node:tls at cold start cost 3–8 ms and ~1 MiB, so the module is replaced by one whose fetch
 * refuses. A test checks the bundle does not require https, tls or stream.
 */
export const stubJwtVerifyFetcher: Plugin = {
  name: 'stub-aws-jwt-verify-https',
  setup(b) {
    b.onResolve({ filter: /^\.\/https-node\.js$/ }, (args) => (
      /[\\/]aws-jwt-verify[\\/]/.test(args.importer) ? { path: 'aws-jwt-verify-https-node-stub', namespace: 'edge-auth-stub' } : undefined
    ));
    b.onLoad({ filter: /.*/, namespace: 'edge-auth-stub' }, () => ({
      loader: 'js',
      contents: 'export async function fetch() { throw new Error("aws-jwt-verify\'s HTTPS fetcher is not bundled at the edge"); }',
    }));
  },
};

const COMMON: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  legalComments: 'none',
  logLevel: 'warning',
  tsconfig: join(ROOT, 'lambda-src', 'tsconfig.json'),
};

/**
 * The edge bundle's settings, without an output (callers add `outfile`, and `minify` unless they
 * profile): Lambda@Edge mode only. The global `__CEA_SESSION_MODE__` is defined `false`; the
 * sources test it where session mode's code begins (the auth routes of session-routes.ts, the
 * session cookie's mint, the `session` field's checks, its pages) as
 * `typeof __CEA_SESSION_MODE__ !== 'boolean' || __CEA_SESSION_MODE__`, which the minifier folds, so
 * those branches are dead and esbuild drops them with the modules only they reach; a config.json
 * with `session` is refused at load. The test is written out at each place because esbuild
 * replaces a define only where the identifier itself appears (it does not inline a constant
 * imported from another module). Where nothing defines it (ts-jest, tsc, the config injector's
 * bundle, the playground) both modes are present.
 */
export const EDGE_AUTH_BUILD: BuildOptions = {
  ...COMMON,
  entryPoints: [join(ROOT, 'lambda-src', 'edge-auth', 'index.ts')],
  plugins: [stubJwtVerifyFetcher],
  define: { __CEA_SESSION_MODE__: 'false' },
};

/** The session-mode edge bundle's settings: the same sources, with session mode (both modes). */
export const EDGE_AUTH_SESSION_BUILD: BuildOptions = {
  ...EDGE_AUTH_BUILD,
  define: { __CEA_SESSION_MODE__: 'true' },
};

/**
 * AWS SDK packages the config injector carries itself although Lambda's Node.js runtime has an
 * SDK: the KeyValueStore API (session mode's keys) is signed with SigV4A, and the runtime's SDK
 * has no SigV4A signer (`@aws-sdk/signature-v4a` registers one with the `@smithy/signature-v4`
 * its client loads, so client and signer must come from the same copy: both are bundled, with
 * everything they import). A test checks the built asset contains the signer.
 */
export const CONFIG_INJECTOR_BUNDLED_SDK = ['@aws-sdk/client-cloudfront-keyvaluestore', '@aws-sdk/signature-v4a'];

/**
 * `@aws-sdk/*` imported by the injector's own code stays external (the runtime provides it),
 * except {@link CONFIG_INJECTOR_BUNDLED_SDK}; whatever a bundled package imports is bundled too.
 */
export const sdkFromRuntime: Plugin = {
  name: 'aws-sdk-from-runtime',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\// }, (args) => {
      if (/[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
      const pkg = args.path.split('/').slice(0, 2).join('/');
      return CONFIG_INJECTOR_BUNDLED_SDK.includes(pkg) ? undefined : { path: args.path, external: true };
    });
  },
};

export const CONFIG_INJECTOR_BUILD: BuildOptions = {
  ...COMMON,
  entryPoints: [join(ROOT, 'lambda-src', 'config-injector', 'index.ts')],
  plugins: [sdkFromRuntime],
};

/**
 * The viewer function's settings. ES module output (the runtime imports `cloudfront` and `crypto`
 * as modules), and the syntax features the runtime does not document marked unsupported, so that
 * esbuild lowers them or fails instead of emitting them (object shorthand included: the minifier
 * would otherwise write `{a}` for `{a: a}`).
 */
export const VIEWER_FUNCTION_BUILD: BuildOptions = {
  entryPoints: [join(ROOT, 'lambda-src', 'viewer-function', 'index.ts')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2017',
  external: ['cloudfront', 'crypto'],
  legalComments: 'none',
  logLevel: 'warning',
  tsconfig: join(ROOT, 'lambda-src', 'tsconfig.json'),
  supported: {
    'array-spread': false,
    'async-generator': false,
    'class': false,
    'default-argument': false,
    'destructuring': false,
    'for-of': false,
    'generator': false,
    'logical-assignment': false,
    'nullish-coalescing': false,
    'object-extensions': false,
    'object-rest-spread': false,
    'optional-catch-binding': false,
    'optional-chain': false,
    'regexp-dot-all-flag': false,
    'regexp-lookbehind-assertions': false,
    'regexp-sticky-and-unicode-flags': false,
  },
};

/**
 * Turn esbuild's module output into what CloudFront Functions run: the `import … from "cloudfront"`
 * and `"crypto"` statements first, and instead of the closing `export{x as handler}` a top-level
 * `async function handler(event)` (the runtime looks the handler up by that name and rejects
 * `export`). checkViewerFunction() then refuses anything else a module system would be needed for.
 */
export function finishViewerFunction(code: string): string {
  const imports: string[] = [];
  let body = code.replace(/import ?([A-Za-z_$][\w$]*) ?from ?"(cloudfront|crypto)";?\n?/g, (_statement, name: string, mod: string) => {
    imports.push(`import ${name} from "${mod}";`);
    return '';
  });
  const exported = /export ?\{ ?([A-Za-z_$][\w$]*)(?: as handler)? ?\};?\s*$/.exec(body);
  if (exported === null) throw new Error('viewer function: the build does not end with the handler export');
  body = body.slice(0, exported.index);
  const handler = exported[1] === 'handler' ? '' : `async function handler(event){return ${exported[1]}(event)}\n`;
  return `${imports.join('\n')}\n${body.trimEnd()}\n${handler}`;
}

/** Build the viewer function (finished, not yet configured). */
export async function buildViewerFunction(): Promise<string> {
  const r = await build({ ...VIEWER_FUNCTION_BUILD, minify: true, write: false, outfile: 'index.js' });
  return finishViewerFunction(r.outputFiles[0].text);
}

/**
 * The viewer function's configuration builder (`buildViewerConfig`, `injectViewerConfig`) for the
 * construct, which runs in Node at synth: the same module the viewer tests and the playground use.
 */
export const VIEWER_CONFIG_BUILD: BuildOptions = {
  ...COMMON,
  entryPoints: [join(ROOT, 'lambda-src', 'shared', 'viewer-config.ts')],
};

export const CLI_BUILD: BuildOptions = {
  ...COMMON,
  entryPoints: [join(ROOT, 'lambda-src', 'cli', 'index.ts')],
  banner: { js: '#!/usr/bin/env node' },
};

async function main(): Promise<void> {
  const edge = await build({ ...EDGE_AUTH_BUILD, minify: true, metafile: true, outfile: join(ROOT, 'assets', 'edge-auth', 'index.js') });
  mkdirSync(join(ROOT, 'test-reports'), { recursive: true });
  writeFileSync(join(ROOT, 'test-reports', 'edge-auth.meta.json'), JSON.stringify(edge.metafile));
  await build({ ...EDGE_AUTH_SESSION_BUILD, minify: true, outfile: join(ROOT, 'assets', 'edge-auth-session', 'index.js') });
  await build({ ...CONFIG_INJECTOR_BUILD, minify: true, outfile: join(ROOT, 'assets', 'config-injector', 'index.js') });
  const viewer = await buildViewerFunction();
  const problems = checkViewerFunction(viewer, { placeholder: true });
  if (problems.length > 0) throw new Error(`viewer function: not valid for CloudFront Functions runtime 2.0:\n${problems.join('\n')}`);
  mkdirSync(join(ROOT, 'assets', 'viewer-function'), { recursive: true });
  writeFileSync(join(ROOT, 'assets', 'viewer-function', 'index.js'), viewer);
  await build({ ...VIEWER_CONFIG_BUILD, outfile: join(ROOT, 'assets', 'viewer-function', 'config.js') });
  const cli = join(ROOT, 'assets', 'cli', 'index.js');
  await build({ ...CLI_BUILD, minify: true, outfile: cli });
  chmodSync(cli, 0o755);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
