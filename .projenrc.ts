import { awscdk, javascript } from 'projen';

/**
 * cdk-cognito-edge-auth: Cognito login in front of a CloudFront distribution, at the edge.
 *
 * Layout (see docs/design.md):
 * - src/         jsii construct code (the only thing jsii compiles)
 * - lambda-src/  edge + custom-resource handlers, bundled by esbuild into assets/ before compile
 * - test/        jest (unit, construct, handler), test/e2e (browser), test/python (pytest)
 * - example/     the example app that README's main command synthesises and the playground serves
 */

// The lowest aws-cdk-lib the construct needs (lambda.Runtime.NODEJS_22_X, its default runtime,
// arrived in 2.168.0; `npx projen test:floor` synthesises against exactly this version) and the
// lowest constructs 10. Users get these as peer-dependency floors.
const CDK_FLOOR = '2.168.0';
const CONSTRUCTS_FLOOR = '10.0.0';
// The tests build with newer ones: cdk-nag 3.x needs aws-cdk-lib >= 2.257.0.
const CDK_DEV_VERSION = '2.257.0';
const CONSTRUCTS_DEV_VERSION = '10.5.1';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-cognito-edge-auth',
  description: 'Cognito hosted-UI login in front of a CloudFront distribution with Lambda@Edge: PKCE, signed state, verified JWTs, token refresh, sign-out and group authorization, configured at deploy time.',
  author: 'cdk-cognito-edge-auth contributors',
  authorAddress: 'maintainers@cdk-cognito-edge-auth.dev',
  repositoryUrl: 'https://github.com/cdk-cognito-edge-auth/cdk-cognito-edge-auth.git',
  keywords: ['cdk', 'awscdk', 'cloudfront', 'cognito', 'lambda@edge', 'authentication', 'oauth2', 'pkce'],
  defaultReleaseBranch: 'main',
  cdkVersion: CDK_FLOOR,
  constructsVersion: CONSTRUCTS_FLOOR,
  // the dev dependencies are the newer versions below, not the floors
  peerDependencyOptions: { pinnedDevDependency: false },
  jsiiVersion: '~6.0.0',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  sampleCode: false,
  // Node 20 left maintenance in April 2026. scripts/node22.sh brings Node 22 in (from the npm
  // registry) for the project's own commands where the machine's node is older.
  minNodeVersion: '22.0.0',
  workflowNodeVersion: '22',
  // Pre-1.0: the Python package says "Development Status :: 4 - Beta", not Production/Stable.
  stability: 'experimental',

  // Release the way CDK construct libraries do: GitHub workflows build every pull request; a push
  // to main bumps the version from the conventional commits since the last tag (0.x while
  // majorVersion is unset: feat -> minor, fix -> patch), writes the changelog
  // (dist/changelog.md, the GitHub release notes) and publishes to npm, PyPI, Maven Central and
  // the Go module repository. npm and PyPI use trusted publishing (OIDC, no tokens stored).
  // .ci/run runs every suite and a release dry run (scripts/release-dry-run.sh) on this machine.
  github: true,
  release: true,
  releaseToNpm: true,
  npmTrustedPublishing: true,
  depsUpgrade: true,
  depsUpgradeOptions: {
    workflowOptions: { schedule: javascript.UpgradeDependenciesSchedule.WEEKLY },
  },
  pullRequestTemplate: false,

  publishToPypi: {
    distName: 'cdk-cognito-edge-auth',
    module: 'cdk_cognito_edge_auth',
    trustedPublishing: true,
  },
  // Package names are hard to change after the first release; these follow the GitHub
  // organisation (Maven Central's io.github.<org> namespace; Go's module path is a repository).
  // .NET is not built: it needs a toolchain this project's CI machine does not have.
  publishToMaven: {
    javaPackage: 'io.github.cdkcognitoedgeauth',
    mavenGroupId: 'io.github.cdk-cognito-edge-auth',
    mavenArtifactId: 'cdk-cognito-edge-auth',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-cognito-edge-auth/cdk-cognito-edge-auth-go',
    packageName: 'cdkcognitoedgeauth',
  },

  // The npm package is an allowlist (package.json "files"), so that stray files can never ship:
  // package.json, README.md and LICENSE are always packed by npm; the rest is listed below.
  npmignoreEnabled: false,

  // Handler-only packages are devDeps: they are bundled into assets/ and never reach src/.
  devDeps: [
    `aws-cdk-lib@${CDK_DEV_VERSION}`,
    '@types/node@^22',
    '@types/aws-lambda',
    'aws-jwt-verify@^5',
    'esbuild',
    'fast-check',
    'cdk-nag@^3',
    'aws-cdk',
    '@aws-sdk/client-lambda',
    '@aws-sdk/client-cognito-identity-provider',
    '@aws-sdk/client-secrets-manager',
    '@aws-sdk/client-s3',
    '@aws-sdk/client-cloudformation',
    '@aws-sdk/client-cloudfront',
    '@aws-sdk/client-resource-groups-tagging-api',
    // Session mode's KeyValueStore API is signed with SigV4A, which Lambda's SDK cannot do without
    // the signer: both are bundled into assets/config-injector (scripts/bundle.ts).
    '@aws-sdk/client-cloudfront-keyvaluestore',
    '@aws-sdk/signature-v4a',
    'aws-sdk-client-mock',
    'jszip',
    'selfsigned',
    'playwright-core',
    'cognito-at-edge',
    'jest-junit@^17',
    // The Go package's go.mod requires the jsii dependencies at the versions installed here. npm
    // would resolve aws-cdk-lib's `@aws-cdk/cloud-assembly-schema@^53.25.0` to the newest 53.x,
    // for which the Go module proxy serves no Go module (it lists v53.25.0, the version that
    // aws-cdk-go/awscdk/v2 at CDK_VERSION requires): pinned here, Go users can resolve every
    // requirement. Keep it equal to that version when CDK_VERSION changes.
    '@aws-cdk/cloud-assembly-schema@53.25.0',
  ],

  jestOptions: {
    // A jest run that collects no test fails; it never reads as "0 passed, 0 failed".
    passWithNoTests: false,
    // jest-junit is configured below (reporters), with load errors and test files in the report.
    junitReporting: false,
    jestConfig: {
      // test-reports/junit.xml, read by scripts/summarize-junit.js: a test file that fails to load
      // is a failed case (not a silent gap), and each case names its file, so that a file that ran
      // fewer tests than it declares is caught.
      reporters: [new javascript.JestReporter('jest-junit', {
        outputDirectory: 'test-reports',
        reportTestSuiteErrors: 'true',
        addFileAttribute: 'true',
      })],
      // Browser tests (*.e2e.ts) and pytest run in their own tasks.
      testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/python/', '/cdk.out/'],
      modulePathIgnorePatterns: ['<rootDir>/example/cdk.out', '<rootDir>/cdk.out', '<rootDir>/dist'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
      testTimeout: 30_000,
      // Tests fail if anything opens a socket to a non-loopback address.
      setupFilesAfterEnv: ['<rootDir>/test/support/no-network.ts'],
    },
  },

  gitignore: [
    '/assets/',
    'cdk.out/',
    '/.venv/',
    '/.venv-cdk-latest/',
    '/test-reports/',
    '__pycache__/',
    '.playground/',
    '.jsii.tabl.json',
    '/.node22/',
    // jsii-pacmak writes a default one when there is none; package.json "files" decides what ships.
    '/.npmignore',
  ],
});
// npm 11 asks which dependencies may run install scripts; these two always have (esbuild checks
// its platform binary, @parcel/watcher falls back to a source build).
project.package.addField('allowScripts', { 'esbuild': true, '@parcel/watcher': true });
project.package.addField('files', ['lib/**/*.js', 'lib/**/*.d.ts', 'assets/', '.jsii', 'API.md']);
// (after the constructor, which replaces any constructs dev dependency with the peer one)
project.addDevDeps(`constructs@${CONSTRUCTS_DEV_VERSION}`);

// `npx cdk-cognito-edge-auth cleanup`: finds the edge functions the construct left behind (by
// their tag) and deletes those CloudFront has released. Bundled with its AWS SDK clients into
// assets/cli/ (lambda-src/cli), so it runs without any further install.
project.addBins({ 'cdk-cognito-edge-auth': 'assets/cli/index.js' });

// Handlers are type-checked by their own tsconfig. The files of src/ they import are pure (plain
// functions of plain values, no Node.js or CDK API): src/private/config-rules.ts (the config.json
// rules shared by synth and load) and the two it imports, signed-out-path.ts and canonical-path.ts.
new javascript.TypescriptConfig(project, {
  fileName: 'lambda-src/tsconfig.json',
  include: ['**/*.ts'],
  compilerOptions: {
    target: 'ES2022',
    moduleResolution: javascript.TypeScriptModuleResolution.NODE16,
    module: 'node16',
    lib: ['es2022'],
    types: ['node'],
    strict: true,
    noImplicitAny: true,
    noImplicitReturns: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noFallthroughCasesInSwitch: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    isolatedModules: true,
  },
});

// Tests, the example app, the playground and the bench are type-checked and linted with the dev tsconfig.
// (test/tsconfig.json is projen's dev tsconfig for jsii projects; its paths are relative to test/.)
const TOOL_DIRS = ['example', 'playground', 'bench', 'scripts'];
for (const dir of ['lambda-src', ...TOOL_DIRS]) {
  project.tsconfigDev.addInclude(`../${dir}/**/*.ts`);
  project.eslint?.addLintPattern(dir);
  // Handlers bundle their dependencies (aws-jwt-verify, the SDK for the custom resource) from
  // devDependencies on purpose; tools use dev-only packages.
  project.eslint?.allowDevDeps(`${dir}/**`);
}
project.tsconfigDev.addExclude('../example/cdk.out');
// eslint's project service picks the nearest tsconfig.json: give each tool folder one.
for (const dir of TOOL_DIRS) {
  new javascript.TypescriptConfig(project, {
    fileName: `${dir}/tsconfig.json`,
    extends: javascript.TypescriptConfigExtends.fromPaths(['../test/tsconfig.json']),
    include: ['**/*.ts'],
    exclude: ['cdk.out'],
  });
}
// Everything jest does not compile (example, playground, bench) is type-checked here.
project.testTask.prependExec('tsc -p test/tsconfig.json');

// ---- handler bundles: built before compile, shipped in the npm package under assets/ ----
// Fixed paths (design §3): assets/edge-auth/index.js and assets/config-injector/index.js; beside
// them assets/edge-auth-session/index.js, the edge bundle with session mode.
const bundle = project.addTask('bundle', { description: 'Bundle the Lambda handlers into assets/' });
bundle.exec('tsc -p lambda-src/tsconfig.json');
// esbuild settings live in scripts/bundle.ts (the bench builds with the same ones).
bundle.exec('ts-node -P test/tsconfig.json scripts/bundle.ts');
project.preCompileTask.spawn(bundle);

// README snippets compile (jsii-rosetta, strict, with rosetta/default.ts-fixture).
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile the README snippets with jsii-rosetta (strict)',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosetta);

// jsii warns (JSII6, metadata/missing-dev-dependency) when a peer dependency's devDependency is
// not its floor, so that the package is tested against the lowest version users may have. Here
// the floors (CDK_FLOOR, CONSTRUCTS_FLOOR) differ from the dev versions on purpose (cdk-nag 3 needs
// a newer aws-cdk-lib), and `npx projen test:floor` synthesises against exactly the floors
// instead; the warning would repeat on every compile. projen's jsii flags, plus that one.
const JSII_FLAGS = '--silence-warnings=reserved-word --silence-warnings=metadata/missing-dev-dependency';
project.compileTask.reset(`jsii ${JSII_FLAGS}`);
project.tasks.tryFind('watch')?.reset(`jsii -w ${JSII_FLAGS}`);

// ---- the example app, the playground, the suites beyond jest, the benchmark ----
project.addTask('synth:example', {
  description: 'Synthesise the example app (example/app.ts) into example/cdk.out',
  exec: 'cdk synth --quiet --no-notices --app "npx ts-node -P test/tsconfig.json --prefer-ts-exts example/app.ts" --output example/cdk.out',
});

// The README's two set-up commands (`npm run playground`, `npm run test:all`) and the Python
// users' wheel command run under Node 22 even where the machine's node is older: scripts/node22.sh
// installs it from the npm registry into .node22/ when needed.
const NODE22 = 'bash scripts/node22.sh';
// playground/main.ts checks its ports first, then bundles and synthesises (quietly), then serves.
project.addTask('playground', {
  description: 'Synthesise the example app and serve the protected site locally (local hosted UI + local edge + sample origin)',
  exec: `${NODE22} ts-node -P test/tsconfig.json playground/main.ts`,
  receiveArgs: true,
});

project.addTask('test:e2e', {
  description: 'End-to-end tests in headless Chromium (Debian chromium + playwright-core)',
  exec: 'bash scripts/test-e2e.sh',
  receiveArgs: true,
});

project.addTask('test:floor', {
  description: 'Synthesise apps with the construct against the lowest aws-cdk-lib and constructs it declares (needs lib/ and the npm registry)',
  exec: 'bash scripts/test-floor.sh',
});

project.addTask('test:python', {
  description: 'Build the Python package with jsii-pacmak, install it in a venv, run pytest',
  exec: 'bash scripts/test-python.sh',
  receiveArgs: true,
});

project.addTask('test:cfn-lint', {
  description: 'cfn-lint (PyPI, in .venv) over the templates of the example app and of the construct tests; ignored checks explained in the script',
  exec: 'bash scripts/cfn-lint.sh',
});

project.addTask('test:all', {
  description: 'Every suite: build (jest + lint), cfn-lint, e2e, python, release dry run; ends with one "N passed, N failed" line',
  exec: `${NODE22} bash scripts/test-all.sh`,
});

project.addTask('python:wheel', {
  description: 'Build the Python wheel and sdist into dist/python from a clone (handler bundles, jsii, rosetta-translated docs, jsii-pacmak)',
  exec: `${NODE22} bash scripts/python-wheel.sh`,
});

project.addTask('release:dry-run', {
  description: 'Build dist/ for a tagged version in a scratch clone (npm, PyPI, Maven, Go) and check what would be published',
  exec: `${NODE22} bash scripts/release-dry-run.sh`,
  receiveArgs: true,
});

project.addTask('bench', {
  description: 'Benchmark the edge bundle against cognito-at-edge; writes bench/results.md and bench/results.json',
  exec: 'ts-node -P test/tsconfig.json bench/run.ts',
  receiveArgs: true,
});

// Failure screenshots of the browser suite. Added here, not in `gitignore` above: projen drops an
// ignore pattern under a directory it later un-ignores (`!/test/`).
project.gitignore.exclude('/test/e2e/screenshots/');

project.synth();
