/**
 * Custom-resource handler of cdk-cognito-edge-auth (a plain Lambda function behind
 * `CustomResource`, so it answers CloudFormation itself through the pre-signed ResponseURL).
 * Dispatches on ResourceType:
 * - `Custom::CognitoEdgeAuthConfig` → {@link handleConfig}
 * - `Custom::CognitoEdgeAuthCallbackUrls` → {@link handleCallbackUrls}
 *
 * Runs on Lambda's Node.js runtime with the AWS SDK v3 it provides, except the KeyValueStore
 * client and its SigV4A signer, which the bundle carries (session-keys.ts, scripts/bundle.ts).
 * Logs carry shapes, never a secret or a token.
 */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { handleCallbackUrls } from './callback-urls';
import { handleConfig, ResourceResult } from './config-resource';
import { log } from './log';
import type { JsonObject } from '../shared/assert';

export const CONFIG_RESOURCE_TYPE = 'Custom::CognitoEdgeAuthConfig';
export const CALLBACK_URLS_RESOURCE_TYPE = 'Custom::CognitoEdgeAuthCallbackUrls';

/** Handle the event and return the result (no response sent): the testable core. */
export async function onEvent(event: CloudFormationCustomResourceEvent): Promise<ResourceResult> {
  const base = {
    RequestType: event.RequestType,
    LogicalResourceId: event.LogicalResourceId,
    PhysicalResourceId: 'PhysicalResourceId' in event ? event.PhysicalResourceId : undefined,
    ResourceProperties: event.ResourceProperties as JsonObject,
  };
  switch (event.ResourceType) {
    case CONFIG_RESOURCE_TYPE:
      return handleConfig(base);
    case CALLBACK_URLS_RESOURCE_TYPE:
      return handleCallbackUrls({
        ...base,
        OldResourceProperties: event.RequestType === 'Update' ? event.OldResourceProperties as JsonObject : undefined,
      });
    default:
      throw new Error(`unsupported resource type ${event.ResourceType}`);
  }
}

/** Lambda entry point: always answers CloudFormation, also when the work fails or runs out of time. */
export async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
  log('info', 'event', {
    requestType: event.RequestType, resourceType: event.ResourceType, logicalResourceId: event.LogicalResourceId,
  });
  const fallbackId = 'PhysicalResourceId' in event ? event.PhysicalResourceId : event.LogicalResourceId;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const ms = Math.max(context.getRemainingTimeInMillis() - 10_000, 1_000);
    timer = setTimeout(() => reject(new Error(`the handler ran out of time after ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    const result = await Promise.race([onEvent(event), timeout]);
    await respond(event, 'SUCCESS', result.PhysicalResourceId, undefined, result.Data);
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    log('error', 'failed', { reason });
    await respond(event, 'FAILED', fallbackId, reason);
  } finally {
    clearTimeout(timer);
  }
}

async function respond(
  event: CloudFormationCustomResourceEvent, status: 'SUCCESS' | 'FAILED', physicalResourceId: string,
  reason?: string, data?: Record<string, string>,
): Promise<void> {
  const body = JSON.stringify({
    Status: status,
    Reason: (reason ?? 'OK').slice(0, 1000),
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: data,
  });
  const response = await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body,
  });
  if (!response.ok) {
    throw new Error(`CloudFormation response upload failed: HTTP ${response.status}`);
  }
}
