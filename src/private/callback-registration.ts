/**
 * Callback-URL registrations that share one user pool client: the handler's read-modify-write of
 * the client is not atomic, so two registrations on one client must not run at the same time.
 * Within a stack, each `CallbackUrls` resource depends on the previous one on the same client
 * (CloudFormation runs them one after the other). Across stacks a dependency could make a cycle,
 * so there the handler's read-back and retry does the work.
 */
import { CustomResource, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { IConstruct } from 'constructs';

/** Per app (its root construct): the last registration on each client. */
const LAST = new WeakMap<IConstruct, Map<string, CustomResource>>();

/** Identity of a client within an app: its construct when defined here, else its ids. */
function clientKey(pool: cognito.IUserPool, client: cognito.IUserPoolClient): string {
  if (client.node.defaultChild instanceof cognito.CfnUserPoolClient) return `construct:${client.node.path}`;
  const ids = [pool.userPoolId, client.userPoolClientId];
  return ids.some((v) => Token.isUnresolved(v)) ? `construct:${client.node.path}` : `ids:${ids.join('/')}`;
}

/** Make `resource` run after the registration made before it on the same client, in the same stack. */
export function serializeRegistrations(resource: CustomResource, pool: cognito.IUserPool, client: cognito.IUserPoolClient): void {
  const root = resource.node.root;
  let byClient = LAST.get(root);
  if (!byClient) {
    byClient = new Map();
    LAST.set(root, byClient);
  }
  const key = clientKey(pool, client);
  const previous = byClient.get(key);
  if (previous !== undefined && Stack.of(previous) === Stack.of(resource)) {
    resource.node.addDependency(previous);
  }
  byClient.set(key, resource);
}

/**
 * The URLs listed on a client defined in the app (`oAuth.callbackUrls`, `oAuth.logoutUrls`): the
 * handler never removes them, whatever it registered. Nothing for an imported client (the handler
 * then keeps the URLs it found on the client before adding its own).
 */
export function urlsListedOnClient(client: cognito.IUserPoolClient): { ClientCallbackUrls?: string[]; ClientLogoutUrls?: string[] } {
  const cfn = client.node.defaultChild;
  if (!(cfn instanceof cognito.CfnUserPoolClient)) return {};
  return { ClientCallbackUrls: cfn.callbackUrLs ?? [], ClientLogoutUrls: cfn.logoutUrLs ?? [] };
}
