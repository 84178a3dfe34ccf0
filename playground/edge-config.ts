/**
 * The playground's `config.json`, written by the same code path as the config-injection custom
 * resource: the synthesised example template's `Custom::CognitoEdgeAuthConfig` resource gives the
 * properties CloudFormation would send, CloudFormation's intrinsic functions in them are resolved
 * with local values (the local user pool, client, hosted UI and host instead of AWS ones), and
 * `buildEdgeConfig(properties, resolved)` from `lambda-src/config-injector/build-config.ts` turns
 * them into the `EdgeAuthConfig`, exactly as the custom resource does at deploy time.
 *
 * When the example has not been synthesised, or `buildEdgeConfig` does not exist yet, a minimal
 * built-in configuration is used instead and the reason is returned, so that the caller can say so.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EdgeAuthConfig } from '../lambda-src/shared/edge-config';

/** Local stand-ins for the values CloudFormation would resolve. */
export interface LocalValues {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  /** Local hosted UI base URL, e.g. `http://127.0.0.1:PORT`. */
  readonly authDomain: string;
  /** `localhost:PORT`: the local distribution's domain (and the Host header the browser sends). */
  readonly distributionDomainName: string;
  readonly jwks: { keys: object[] };
  readonly stateSecret: string;
  /** The local client's refresh-token validity (what DescribeUserPoolClient would give). */
  readonly refreshTokenValiditySeconds?: number;
}

export interface TemplateEdgeConfigSource {
  readonly templateFile: string;
  readonly logicalId: string;
  /** Region of the stack holding the resource (from cdk.out/manifest.json), when known. */
  readonly region?: string;
  /** Whether the example's user pool client has a secret (`GenerateSecret: true`). */
  readonly clientHasSecret: boolean;
  /** The resource's `Properties`, unresolved (with intrinsic functions). */
  readonly properties: Record<string, unknown>;
  readonly resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  readonly parameters: Record<string, { Default?: unknown }>;
}

export const EDGE_CONFIG_RESOURCE_TYPE = 'Custom::CognitoEdgeAuthConfig';

/** Finds the config-injection custom resource in the synthesised templates of `cdkOutDir`. */
export function findEdgeConfigResource(cdkOutDir: string): TemplateEdgeConfigSource | undefined {
  if (!fs.existsSync(cdkOutDir)) return undefined;
  const files = fs.readdirSync(cdkOutDir).filter((f) => f.endsWith('.template.json')).sort();
  for (const file of files) {
    const templateFile = path.join(cdkOutDir, file);
    const template = JSON.parse(fs.readFileSync(templateFile, 'utf8')) as { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>; Parameters?: Record<string, { Default?: unknown }> };
    const resources = template.Resources ?? {};
    for (const [logicalId, r] of Object.entries(resources)) {
      if (r.Type !== EDGE_CONFIG_RESOURCE_TYPE) continue;
      const clientHasSecret = Object.values(resources).some((x) => x.Type === 'AWS::Cognito::UserPoolClient' && x.Properties?.GenerateSecret === true);
      return {
        templateFile,
        logicalId,
        region: stackRegion(cdkOutDir, file),
        clientHasSecret,
        properties: r.Properties ?? {},
        resources,
        parameters: template.Parameters ?? {},
      };
    }
  }
  return undefined;
}

/** The region of the stack whose template is `templateFileName`, from the cloud assembly manifest. */
function stackRegion(cdkOutDir: string, templateFileName: string): string | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(cdkOutDir, 'manifest.json'), 'utf8')) as {
      artifacts?: Record<string, { type?: string; environment?: string; properties?: { templateFile?: string } }>;
    };
    for (const a of Object.values(manifest.artifacts ?? {})) {
      if (a.type === 'aws:cloudformation:stack' && a.properties?.templateFile === templateFileName) {
        const region = /^aws:\/\/[^/]+\/([a-z0-9-]+)$/.exec(a.environment ?? '')?.[1];
        return region && region !== 'unknown-region' ? region : undefined;
      }
    }
  } catch {
    // no manifest: region unknown
  }
  return undefined;
}

/**
 * Resolves CloudFormation intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select,
 * Fn::Split, Fn::If on a true-ish condition is not modelled) with local values.
 */
export function resolveIntrinsics(value: unknown, src: Pick<TemplateEdgeConfigSource, 'resources' | 'parameters'>, local: LocalValues): unknown {
  const region = local.userPoolId.split('_')[0];
  const ref = (name: string): string => {
    switch (name) {
      case 'AWS::Region': return region;
      case 'AWS::AccountId': return '123456789012';
      case 'AWS::Partition': return 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return 'LocalPlayground';
      case 'AWS::NoValue': return '';
    }
    const p = src.parameters[name];
    if (p) return String(p.Default ?? '');
    const r = src.resources[name];
    switch (r?.Type) {
      case 'AWS::Cognito::UserPool': return local.userPoolId;
      case 'AWS::Cognito::UserPoolClient': return local.clientId;
      // The domain prefix: only ever used to build the hosted-UI URL, which is replaced below.
      case 'AWS::Cognito::UserPoolDomain': return 'local';
      case 'AWS::CloudFront::Distribution': return 'ELOCALEDGE';
      default: return `local-${name}`;
    }
  };
  const getAtt = (name: string, attr: string): string => {
    const r = src.resources[name];
    if (r?.Type === 'AWS::CloudFront::Distribution' && attr === 'DomainName') return local.distributionDomainName;
    if (r?.Type === 'AWS::Cognito::UserPoolClient' && attr === 'ClientSecret') return local.clientSecret ?? '';
    if (r?.Type === 'AWS::Cognito::UserPool') {
      if (attr === 'ProviderName') return `cognito-idp.${region}.amazonaws.com/${local.userPoolId}`;
      if (attr === 'ProviderURL') return `https://cognito-idp.${region}.amazonaws.com/${local.userPoolId}`;
      if (attr === 'Arn') return `arn:aws:cognito-idp:${region}:123456789012:userpool/${local.userPoolId}`;
    }
    return `local-${name}-${attr}`;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = o[k];
      if (k === 'Ref') return ref(String(arg));
      if (k === 'Fn::GetAtt') {
        const [n, a] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
        return getAtt(n, a);
      }
      if (k === 'Fn::Join') {
        const [sep, parts] = arg as [string, unknown[]];
        return (walk(parts) as unknown[]).map(String).join(sep);
      }
      if (k === 'Fn::Select') {
        const [i, list] = arg as [unknown, unknown];
        return (walk(list) as unknown[])[Number(walk(i))];
      }
      if (k === 'Fn::Split') {
        const [sep, s] = arg as [string, unknown];
        return String(walk(s)).split(sep);
      }
      if (k === 'Fn::Sub') {
        const [tpl, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
        return tpl.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
          if (name in vars) return String(walk(vars[name]));
          const dot = name.indexOf('.');
          return dot > 0 && !name.startsWith('AWS::') ? getAtt(name.slice(0, dot), name.slice(dot + 1)) : ref(name);
        });
      }
    }
    return Object.fromEntries(keys.map((k) => [k, walk(o[k])]));
  };
  return walk(value);
}

/** Signature of `buildEdgeConfig` in `lambda-src/config-injector/build-config.ts`. */
type BuildEdgeConfig = (
  properties: Record<string, unknown>,
  resolved: { clientSecret?: string; jwks: { keys: object[] }; stateSecret: string; refreshTokenValiditySeconds?: number },
) => EdgeAuthConfig;

export const BUILD_CONFIG_MODULE = path.join(__dirname, '..', 'lambda-src', 'config-injector', 'build-config.ts');

function loadBuildEdgeConfig(): BuildEdgeConfig | undefined {
  if (!fs.existsSync(BUILD_CONFIG_MODULE)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(BUILD_CONFIG_MODULE) as { buildEdgeConfig?: BuildEdgeConfig };
  return typeof mod.buildEdgeConfig === 'function' ? mod.buildEdgeConfig : undefined;
}

/** The built-in configuration used when the template path is not available. */
export function fallbackEdgeConfig(local: LocalValues): EdgeAuthConfig {
  return {
    userPoolId: local.userPoolId,
    clientId: local.clientId,
    ...(local.clientSecret ? { clientSecret: local.clientSecret } : {}),
    authDomain: local.authDomain,
    identityProvider: 'EntraID',
    jwks: local.jwks as EdgeAuthConfig['jwks'],
    requiredGroups: ['staff'],
    stateSecret: local.stateSecret,
  };
}

export interface EdgeConfigResult {
  readonly config: EdgeAuthConfig;
  /** 'template': built by buildEdgeConfig from the example template; 'fallback': built in. */
  readonly source: 'template' | 'fallback';
  /** Why the fallback was used, or which template was read. */
  readonly detail: string;
}

/**
 * Builds the edge config the way the custom resource does, from the example template in
 * `cdkOutDir`; falls back to {@link fallbackEdgeConfig} (saying why) when that is not possible.
 */
export function buildLocalEdgeConfig(cdkOutDir: string, local: LocalValues): EdgeConfigResult {
  const src = findEdgeConfigResource(cdkOutDir);
  if (!src) return { config: fallbackEdgeConfig(local), source: 'fallback', detail: `no ${EDGE_CONFIG_RESOURCE_TYPE} resource in ${cdkOutDir} (run: npx projen synth:example)` };
  const build = loadBuildEdgeConfig();
  if (!build) return { config: fallbackEdgeConfig(local), source: 'fallback', detail: `buildEdgeConfig not found in ${path.relative(process.cwd(), BUILD_CONFIG_MODULE)}` };
  const { ServiceToken: _serviceToken, ...properties } = resolveIntrinsics(src.properties, src, local) as Record<string, unknown>;
  // The hosted UI is the local one, whatever domain the template names.
  properties.AuthDomain = local.authDomain;
  const built = build(properties, {
    clientSecret: local.clientSecret,
    jwks: local.jwks,
    stateSecret: local.stateSecret,
    refreshTokenValiditySeconds: local.refreshTokenValiditySeconds,
  });
  // Local values the template cannot know: the local hosted UI, and no AWS aliases (the browser's
  // Host is the local distribution domain itself).
  const config: EdgeAuthConfig = { ...built, authDomain: local.authDomain, aliases: [] };
  return { config, source: 'template', detail: `${path.relative(process.cwd(), src.templateFile)} (${src.logicalId})` };
}
