/**
 * The config injector's asset carries what Lambda's runtime SDK lacks for session mode: the
 * KeyValueStore client and its SigV4A signer. Checked on the built assets/config-injector/index.js
 * (markers of the signer, the runtime's clients left external), and by running a build with the
 * shipped settings whose client hands its request to a recording handler: it is SigV4A-signed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, Plugin } from 'esbuild';
import { CONFIG_INJECTOR_BUILD, CONFIG_INJECTOR_BUNDLED_SDK } from '../../scripts/bundle';

const ROOT = join(__dirname, '..', '..');
const ASSET = join(ROOT, 'assets', 'config-injector', 'index.js');
const ARN = 'arn:aws:cloudfront::123456789012:key-value-store/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6';
/** The order of the P-256 curve: in the code only when the SigV4A (ECDSA P-256) signer is. */
const P256_ORDER = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';

function newestSource(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestSource(join(path, name))));
}

beforeAll(() => {
  const sources = Math.max(...['lambda-src/config-injector', 'lambda-src/shared', 'scripts/bundle.ts', 'package-lock.json'].map((p) => newestSource(join(ROOT, p))));
  if (!existsSync(ASSET) || statSync(ASSET).mtimeMs < sources) {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'ts-node'), ['-P', 'test/tsconfig.json', 'scripts/bundle.ts'], { cwd: ROOT, stdio: 'pipe' });
  }
}, 180_000);

test('assets/config-injector/index.js contains the SigV4A signer and the KeyValueStore client', () => {
  const code = readFileSync(ASSET, 'utf8');
  expect(code).toContain(P256_ORDER);
  expect(code).toContain('AWS4-ECDSA-P256-SHA256');
  expect(code).toContain('cloudfront-keyvaluestore');
  // (not the `[require("…")]` inside the SDK's error messages)
  const required = new Set([...code.matchAll(/(?<!\[)require\("([^"]+)"\)/g)].map((m) => m[1]));
  // neither of them (nor what they load) is left to the runtime...
  for (const pkg of CONFIG_INJECTOR_BUNDLED_SDK) expect(required).not.toContain(pkg);
  expect([...required].filter((r) => r.startsWith('@smithy/') || r === '@aws-sdk/signature-v4-multi-region')).toEqual([]);
  // ...while the clients the runtime has stay external
  expect([...required].filter((r) => r.startsWith('@aws-sdk/')).sort()).toEqual([
    '@aws-sdk/client-cloudformation', '@aws-sdk/client-cognito-identity-provider', '@aws-sdk/client-lambda',
    '@aws-sdk/client-s3', '@aws-sdk/client-secrets-manager',
  ]);
});

/**
 * A build with the shipped settings of a small program that asks for a session key. Its client
 * sends through a request handler that records the signed request, prints it and answers 403:
 * nothing leaves the process.
 */
async function buildProbe(extraPlugins: Plugin[] = []): Promise<string> {
  const contents = `
    import { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
    import { ensureSessionKey } from '../../lambda-src/config-injector/session-keys';
    const { Readable } = require('node:stream');
    const requestHandler = {
      handle: async (request) => {
        process.stdout.write(JSON.stringify({ hostname: request.hostname, path: request.path, headers: request.headers }));
        const body = Readable.from([Buffer.from(JSON.stringify({ message: 'denied by the test handler' }))]);
        return { response: { statusCode: 403, reason: 'Forbidden', headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' }, body } };
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    };
    const client = new CloudFrontKeyValueStoreClient({
      region: 'us-east-1', maxAttempts: 1, requestHandler,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    });
    ensureSessionKey({ keyValueStoreArn: ${JSON.stringify(ARN)}, keyGeneration: 1, retentionSeconds: 60 }, client)
      .then(() => process.exit(0), (e) => { process.stderr.write(e.name + ': ' + e.message); process.exit(2); });
  `;
  const r = await build({
    ...CONFIG_INJECTOR_BUILD,
    entryPoints: undefined,
    stdin: { contents, resolveDir: __dirname, loader: 'ts', sourcefile: 'probe.ts' },
    plugins: [...extraPlugins, ...(CONFIG_INJECTOR_BUILD.plugins ?? [])],
    write: false,
    outfile: 'probe.js',
    logLevel: 'silent',
  });
  const file = join(mkdtempSync(join(tmpdir(), 'kvs-probe-')), 'probe.js');
  writeFileSync(file, r.outputFiles[0].text);
  return file;
}

interface ProbeResult {
  readonly request?: { hostname: string; path: string; headers: Record<string, string> };
  readonly stderr: string;
  readonly code: number | null;
}

async function runProbe(file: string): Promise<ProbeResult> {
  const child = spawn(process.execPath, ['--no-warnings', file], {
    env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const lines = stdout.split('\n').filter((l) => l.startsWith('{"hostname"'));
  return { request: lines.length > 0 ? JSON.parse(lines[0]) : undefined, stderr, code };
}

test('a build with the shipped settings signs KeyValueStore requests with SigV4A', async () => {
  const result = await runProbe(await buildProbe());

  expect(result.request?.hostname).toBe('123456789012.cloudfront-kvs.global.api.aws');
  expect(result.request?.path).toBe(`/key-value-stores/${encodeURIComponent(ARN)}`);
  expect(result.request?.headers.authorization).toMatch(
    /^AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/cloudfront-keyvaluestore\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]+$/,
  );
  expect(result.request?.headers['x-amz-region-set']).toBe('*');
  // the refusal comes back as the module's error, naming the store
  expect(result.code).toBe(2);
  expect(result.stderr).toBe(`SessionKeyStoreError: the KeyValueStore ${ARN} failed DescribeKeyValueStore: AccessDeniedException: denied by the test handler`);
}, 60_000);

test('control: without the signer bundled, no request is sent and the deploy would fail', async () => {
  const withoutSigner: Plugin = {
    name: 'without-sigv4a',
    setup(b) {
      b.onResolve({ filter: /^@aws-sdk\/signature-v4a$/ }, () => ({ path: 'sigv4a-stub', namespace: 'probe-stub' }));
      b.onLoad({ filter: /.*/, namespace: 'probe-stub' }, () => ({ loader: 'js', contents: 'exports.SignatureV4a = function SignatureV4a() {};' }));
    },
  };
  const result = await runProbe(await buildProbe([withoutSigner]));

  expect(result.request).toBeUndefined();
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/SigV4a implementation is available/);
}, 60_000);
