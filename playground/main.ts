/**
 * `npx projen playground`: serve the example app's protected site locally.
 *
 * Checks that its ports are free, builds the edge bundle and synthesises the example app (their
 * output is shown only when they fail), then starts the local hosted UI, the sample origin and the
 * local edge (running the built edge bundle with a config.json built from the synthesised example
 * app), prints the URL to open and the sample users, then one line per edge decision. Ctrl-C stops
 * everything.
 *
 * Flags (each also as an environment variable):
 *   --port N             HTTPS port of the site (PLAYGROUND_PORT, default 8443)
 *   --hosted-ui-port N   port of the local hosted UI (PLAYGROUND_HOSTED_UI_PORT, default 8444)
 *   --origin-port N      port of the sample origin (PLAYGROUND_ORIGIN_PORT, default 8445)
 *   --id-token-ttl N     id/access token lifetime in seconds, to watch refreshes (PLAYGROUND_ID_TOKEN_TTL, default 3600)
 *   --mode M             lambda-edge (the Lambda@Edge function checks every request) or session (a
 *                        CloudFront Function checks a session cookie; the Lambda@Edge function
 *                        answers /_auth/*) (PLAYGROUND_MODE, default lambda-edge)
 *   --exit-after-start   start, print, check the site answers, and exit (PLAYGROUND_EXIT_AFTER_START=1)
 *   --profile NAME       a named configuration on top of the example's, see ./profiles.ts (PLAYGROUND_PROFILE)
 */
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import { PROFILES } from './profiles';
import { PLAYGROUND_MODES, PlaygroundMode, REPO_ROOT, startPlayground } from './start';

interface Args {
  /** A key of PROFILES, or undefined for the example's own configuration. */
  profile: string | undefined;
  port: number;
  hostedUiPort: number;
  originPort: number;
  idTokenTtl: number;
  mode: PlaygroundMode;
  exitAfterStart: boolean;
}

function usage(message: string): never {
  console.error(`playground: ${message}`);
  console.error('usage: npx projen playground [--port N] [--hosted-ui-port N] [--origin-port N] [--id-token-ttl SECONDS] [--mode lambda-edge|session] [--exit-after-start] [--profile NAME]');
  console.error(`profiles: ${Object.entries(PROFILES).map(([name, p]) => `${name} (${p.description})`).join('; ')}`);
  process.exit(2);
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Args {
  const num = (name: string, raw: string | undefined, dflt: number): number => {
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535) usage(`${name} must be a port or number, got ${JSON.stringify(raw)}`);
    return n;
  };
  const mode = (name: string, raw: string | undefined, dflt: PlaygroundMode): PlaygroundMode => {
    if (raw === undefined || raw === '') return dflt;
    if (!(PLAYGROUND_MODES as readonly string[]).includes(raw)) usage(`${name} must be ${PLAYGROUND_MODES.join(' or ')}, got ${JSON.stringify(raw)}`);
    return raw as PlaygroundMode;
  };
  const args: Args = {
    profile: env.PLAYGROUND_PROFILE || undefined,
    port: num('PLAYGROUND_PORT', env.PLAYGROUND_PORT, 8443),
    hostedUiPort: num('PLAYGROUND_HOSTED_UI_PORT', env.PLAYGROUND_HOSTED_UI_PORT, 8444),
    originPort: num('PLAYGROUND_ORIGIN_PORT', env.PLAYGROUND_ORIGIN_PORT, 8445),
    idTokenTtl: num('PLAYGROUND_ID_TOKEN_TTL', env.PLAYGROUND_ID_TOKEN_TTL, 3600),
    mode: mode('PLAYGROUND_MODE', env.PLAYGROUND_MODE, 'lambda-edge'),
    exitAfterStart: env.PLAYGROUND_EXIT_AFTER_START === '1' || env.PLAYGROUND_EXIT_AFTER_START === 'true',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    switch (flag) {
      case '--profile': args.profile = value(); break;
      case '--port': args.port = num(flag, value(), args.port); break;
      case '--hosted-ui-port': args.hostedUiPort = num(flag, value(), args.hostedUiPort); break;
      case '--origin-port': args.originPort = num(flag, value(), args.originPort); break;
      case '--id-token-ttl': args.idTokenTtl = num(flag, value(), args.idTokenTtl); break;
      case '--mode': args.mode = mode(flag, value(), args.mode); break;
      case '--exit-after-start': args.exitAfterStart = true; break;
      case '--help': case '-h': usage('help');
      // eslint-disable-next-line no-fallthrough
      default: usage(`unknown argument ${a}`);
    }
  }
  if (args.idTokenTtl < 1) usage('--id-token-ttl must be at least 1');
  if (args.profile !== undefined && !Object.prototype.hasOwnProperty.call(PROFILES, args.profile)) {
    usage(`unknown profile ${JSON.stringify(args.profile)}; the profiles are ${Object.keys(PROFILES).join(', ')}`);
  }
  return args;
}

/** Can PORT be listened on at 127.0.0.1, where the servers listen? Port 0 (any free one) can. */
function portFree(port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Before the build, not after it: a port that is taken ends the run at once. */
async function checkPorts(args: Args): Promise<void> {
  const ports: Array<[string, number]> = [['--port', args.port], ['--hosted-ui-port', args.hostedUiPort], ['--origin-port', args.originPort]];
  for (const [flag, port] of ports) {
    const same = ports.find(([f, p]) => f !== flag && p === port && p !== 0);
    if (same) usage(`${flag} and ${same[0]} are both ${port}; give each server its own port`);
    if (!(await portFree(port))) {
      usage(`port ${port} (${flag}) is already in use, perhaps by another playground; stop it or choose another port: npm run playground -- ${flag} <port>`);
    }
  }
}

/** Runs a projen task with its output held back (CDK's synth notes and notices); shown only if it fails. */
function quietTask(task: string, what: string): void {
  const t0 = Date.now();
  process.stdout.write(`  ${what}… `);
  const r = spawnSync('npx', ['projen', task], { cwd: REPO_ROOT, encoding: 'utf8', env: process.env, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    process.stdout.write('failed\n');
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    console.error(`playground: \`npx projen ${task}\` failed${r.error ? ` (${r.error.message})` : ''}`);
    process.exit(1);
  }
  process.stdout.write(`done (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
}

function time(): string {
  return new Date().toISOString().slice(11, 19);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), process.env);
  await checkPorts(args);
  console.log('cdk-cognito-edge-auth playground: building');
  quietTask('bundle', 'edge bundle and viewer function (assets/)');
  quietTask('synth:example', 'example app synthesised (example/cdk.out)');
  const profile = args.profile !== undefined ? PROFILES[args.profile] : undefined;
  let pg;
  try {
    pg = await startPlayground({
      mode: args.mode,
      edgePort: args.port,
      hostedUiPort: args.hostedUiPort,
      originPort: args.originPort,
      idTokenTtlSeconds: args.idTokenTtl,
      accessTokenTtlSeconds: args.idTokenTtl,
      configOverrides: profile?.config,
      onDecision: (_d, summary) => console.log(`${time()}  ${summary}`),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') usage(`a port is already in use (${err.message}); choose others with --port / --hosted-ui-port / --origin-port`);
    console.error(`playground: could not start: ${err.message}`);
    process.exit(1);
  }

  const c = pg.config;
  console.log('');
  console.log('cdk-cognito-edge-auth playground');
  console.log(`  Open:        ${pg.url}/reports/2026?tab=q3   (or ${pg.url}/)`);
  console.log(pg.mode === 'session'
    ? `  Mode:        session: a CloudFront Function checks the session cookie; the Lambda@Edge function answers ${c.session?.authPathPrefix ?? '/_auth/'}*`
    : '  Mode:        lambda-edge: the Lambda@Edge function checks every request (--mode session for the other mode)');
  console.log('               the certificate is a throwaway self-signed one: accept the browser warning once');
  console.log(`  Hosted UI:   ${pg.hostedUiUrl}  (local stand-in for Cognito, identity provider ${c.identityProvider ?? '(none)'})`);
  console.log(`  Origin:      ${pg.originUrl}  (sample pages)`);
  console.log(`  Edge config: ${pg.configSource === 'template' ? 'built by buildEdgeConfig from' : 'BUILT-IN FALLBACK:'} ${pg.configDetail}`);
  if (profile) console.log(`  Profile:     ${args.profile}: ${profile.description}; open ${pg.url}${profile.openPath}`);
  const rules = (c.pathRules ?? []).map((r) => `${r.pathPattern} needs ${r.requiredGroups.length ? r.requiredGroups.join(' or ') : 'any signed-in user'}`);
  const everywhere = c.requiredGroups?.length ? `groups ${c.requiredGroups.join(' or ')}` : 'any signed-in user';
  console.log(`  Access:      ${[...rules, `elsewhere ${everywhere}`].join('; ')}`);
  console.log(`               sign out at ${c.signOutPath ?? '/_auth/signout'}`);
  console.log('  Sample users:');
  for (const u of pg.users) {
    const groups = u.groups ?? [];
    const roles = u.claims?.['custom:roles'];
    const shown = groups.length > 3 ? `${groups.slice(0, 2).join(', ')} and ${groups.length - 2} more`
      : groups.join(', ') || (typeof roles === 'string' ? `no groups; custom:roles ${roles}` : 'no groups');
    console.log(`    ${u.username.padEnd(6)} / ${u.password.padEnd(16)} (${shown})`);
  }
  console.log('  Ctrl-C stops everything.');
  console.log('');

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await pg.close();
    console.log('playground stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  if (args.exitAfterStart) {
    // Scripted check: the site answers through the edge (an anonymous navigation).
    const res = await fetchInsecure(`${pg.url}/`);
    console.log(`start-up check: GET ${pg.url}/ → ${res}`);
    await stop(res === 'unreachable' || Number(res.slice(0, 3)) >= 500 ? 1 : 0);
  }
}

/** GET through the local edge without following redirects, accepting the self-signed certificate. */
async function fetchInsecure(url: string): Promise<string> {
  const https = await import('node:https');
  return new Promise((resolve) => {
    const req = https.get(url, { rejectUnauthorized: false, headers: { 'Accept': 'text/html', 'Sec-Fetch-Mode': 'navigate' }, timeout: 10_000 }, (res) => {
      res.resume();
      const loc = res.headers.location ? ` (Location: ${new URL(res.headers.location, url).origin}${new URL(res.headers.location, url).pathname})` : '';
      resolve(`${res.statusCode}${loc}`);
    });
    req.on('error', () => resolve('unreachable'));
    req.on('timeout', () => req.destroy());
  });
}

void main();
