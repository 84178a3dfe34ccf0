// What a release would publish: the checks of the release dry run (scripts/release-dry-run.sh),
// run with node:test against the dist/ it built for a tagged version in a scratch clone.
// DIST_DIR: that dist/; REPO_DIR: the scratch clone; SMOKE_DIR: where the Java and Go smoke
// projects are copied to and built.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const DIST = process.env.DIST_DIR;
const REPO = process.env.REPO_DIR;
const SMOKE = process.env.SMOKE_DIR;
if (!DIST || !REPO || !SMOKE) throw new Error('run by scripts/release-dry-run.sh (DIST_DIR, REPO_DIR, SMOKE_DIR)');
const HERE = fileURLToPath(new URL('.', import.meta.url));

const NAME = 'cdk-cognito-edge-auth';
const PY_DIST = 'cdk_cognito_edge_auth';
const MAVEN_GROUP = 'io.github.cdk-cognito-edge-auth';
const GO_MODULE = 'github.com/cdk-cognito-edge-auth/cdk-cognito-edge-auth-go/cdkcognitoedgeauth';
// The dry run tags v0.1.0 and commits one `feat:` after it: below 1.0.0 a feature is a patch
// release (conventional-changelog's preMajor rule), so the release is 0.1.1.
const EXPECTED_VERSION = '0.1.1';

const version = readFileSync(join(DIST, 'version.txt'), 'utf8').trim();
const only = (dir, re) => {
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => re.test(f)) : [];
  assert.equal(found.length, 1, `expected one file matching ${re} in ${dir}, found ${JSON.stringify(found)}`);
  return join(dir, found[0]);
};
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${out.slice(-4000)}`);
  return out;
};

test('the version comes from the conventional commits since the last tag', () => {
  assert.equal(version, EXPECTED_VERSION);
  assert.equal(readFileSync(join(DIST, 'releasetag.txt'), 'utf8').trim(), `v${EXPECTED_VERSION}`);
});

test('the changelog has an entry for the version', () => {
  const changelog = readFileSync(join(DIST, 'changelog.md'), 'utf8');
  assert.match(changelog, new RegExp(`^#+ \\[?${version.replace(/\./g, '\\.')}\\]?`, 'm'));
  assert.match(changelog, /release dry run/);
});

test('unbump puts package.json back at 0.0.0', () => {
  assert.equal(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version, '0.0.0');
});

// ---- npm ------------------------------------------------------------------------------------------

const tarball = () => only(join(DIST, 'js'), new RegExp(`^${NAME}@.*\\.tgz$`));
const ALLOWED = /^package\/(lib\/.+\.(js|d\.ts)|assets\/.+|\.jsii|README\.md|API\.md|LICENSE|package\.json)$/;
const REQUIRED = ['lib/index.js', 'lib/index.d.ts', 'assets/edge-auth/index.js', 'assets/edge-auth-session/index.js', 'assets/config-injector/index.js', '.jsii', 'README.md', 'API.md', 'LICENSE', 'package.json'];

test('the npm tarball holds only lib/, assets/, .jsii, README.md, API.md, LICENSE and package.json', () => {
  const entries = execFileSync('tar', ['-tzf', tarball()], { encoding: 'utf8' }).split('\n').filter((e) => e && !e.endsWith('/'));
  const stray = entries.filter((e) => !ALLOWED.test(e));
  assert.deepEqual(stray, [], 'files outside the allowlist');
  for (const f of REQUIRED) assert.ok(entries.includes(`package/${f}`), `${f} is missing from the tarball`);
  assert.ok(!entries.some((e) => /\.ts$/.test(e) && !/\.d\.ts$/.test(e)), 'TypeScript sources in the tarball');
});

test('the npm tarball carries the version', () => {
  const pkg = JSON.parse(execFileSync('tar', ['-xzOf', tarball(), 'package/package.json'], { encoding: 'utf8' }));
  assert.equal(pkg.name, NAME);
  assert.equal(pkg.version, version);
  assert.ok(tarball().endsWith(`${NAME}@${version}.jsii.tgz`), tarball());
});

// ---- PyPI -----------------------------------------------------------------------------------------

const wheel = () => only(join(DIST, 'python'), new RegExp(`^${PY_DIST}-.*\\.whl$`));
const sdist = () => only(join(DIST, 'python'), new RegExp(`^${PY_DIST}-.*\\.tar\\.gz$`));
const wheelMetadata = () => execFileSync('python3', ['-c', [
  'import sys, zipfile',
  'z = zipfile.ZipFile(sys.argv[1])',
  'sys.stdout.write(z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode())',
].join('\n'), wheel()], { encoding: 'utf8' });
const sdistMetadata = () => execFileSync('tar', ['-xzOf', sdist(), '--wildcards', '*/PKG-INFO'], { encoding: 'utf8' });
const field = (metadata, name) => new RegExp(`^${name}: (.*)$`, 'm').exec(metadata)?.[1];

test('the wheel and the sdist carry the version', () => {
  assert.ok(wheel().endsWith(`${PY_DIST}-${version}-py3-none-any.whl`), wheel());
  assert.ok(sdist().endsWith(`${PY_DIST}-${version}.tar.gz`), sdist());
  assert.equal(field(wheelMetadata(), 'Version'), version);
  assert.equal(field(sdistMetadata(), 'Version'), version);
  assert.equal(field(wheelMetadata(), 'Name').replace(/[-_.]+/g, '-').toLowerCase(), NAME);
});

test('the wheel and the sdist carry the README, with Python examples', () => {
  const title = readFileSync(join(REPO, 'README.md'), 'utf8').split('\n')[0];
  for (const metadata of [wheelMetadata(), sdistMetadata()]) {
    assert.equal(field(metadata, 'Description-Content-Type'), 'text/markdown');
    assert.ok(metadata.includes(`\n${title}\n`), `the long description does not start from README's "${title}"`);
    assert.match(metadata, /```python\n[\s\S]*CognitoEdgeAuth\(self, "Auth"/);
    assert.doesNotMatch(metadata, /```(ts|typescript)\n/, 'TypeScript snippets left untranslated');
  }
});

// ---- Maven ----------------------------------------------------------------------------------------

const mavenDir = () => join(DIST, 'java', ...MAVEN_GROUP.split('.'), NAME, version);

test('the Maven package carries the version', () => {
  for (const suffix of ['.jar', '.pom', '-sources.jar', '-javadoc.jar']) {
    assert.ok(existsSync(join(mavenDir(), `${NAME}-${version}${suffix}`)), `${NAME}-${version}${suffix} missing in ${mavenDir()}`);
  }
  const pom = readFileSync(join(mavenDir(), `${NAME}-${version}.pom`), 'utf8');
  assert.match(pom, new RegExp(`<artifactId>${NAME}</artifactId>\\s*<version>${version.replace(/\./g, '\\.')}</version>`));
});

test('Java smoke test: README\'s example synthesises with the Maven package', { timeout: 15 * 60_000 }, () => {
  const dir = join(SMOKE, 'java');
  mkdirSync(SMOKE, { recursive: true });
  cpSync(join(HERE, 'java'), dir, { recursive: true });
  const out = run('mvn', ['-B', '-q', '-ntp', `-Dsmoke.version=${version}`, `-Dsmoke.repo=file://${join(DIST, 'java')}`, 'compile', 'exec:java'], { cwd: dir });
  assert.match(out, /java smoke: 1 Custom::CognitoEdgeAuthConfig, 1 Custom::CognitoEdgeAuthCallbackUrls/);
});

// ---- Go -------------------------------------------------------------------------------------------

const goDir = () => join(DIST, 'go', 'cdkcognitoedgeauth');

test('the Go package carries the version and the module path', () => {
  assert.equal(readFileSync(join(goDir(), 'version'), 'utf8').trim(), version);
  assert.match(readFileSync(join(goDir(), 'go.mod'), 'utf8'), new RegExp(`^module ${GO_MODULE}$`, 'm'));
  assert.ok(existsSync(join(goDir(), 'jsii', `${NAME}-${version}.tgz`)), 'the embedded npm tarball is missing');
});

test('Go smoke test: README\'s example synthesises with the Go package', { timeout: 15 * 60_000 }, () => {
  const dir = join(SMOKE, 'go');
  mkdirSync(SMOKE, { recursive: true });
  cpSync(join(HERE, 'go'), dir, { recursive: true });
  const env = { ...process.env, GOFLAGS: '-mod=mod' };
  run('go', ['mod', 'edit', `-replace=${GO_MODULE}=${goDir()}`], { cwd: dir, env });
  // Every module the package requires must come from the Go module proxy, as for its users.
  run('go', ['mod', 'tidy'], { cwd: dir, env });
  const out = run('go', ['run', '.'], { cwd: dir, env });
  assert.match(out, /go smoke: 1 Custom::CognitoEdgeAuthConfig, 1 Custom::CognitoEdgeAuthCallbackUrls/);
});
