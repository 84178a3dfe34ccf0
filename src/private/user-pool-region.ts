/**
 * The user pool's region, taken from its id, for the config injector's IAM statement and for an
 * imported prefix domain.
 *
 * `UserPool.fromUserPoolId` builds the pool's ARN (and `env.region`) in the stack's region, so a
 * pool imported by id from another region (a stack in us-east-1, the pool in eu-west-1) would get
 * an ARN that names the wrong region: `DescribeUserPoolClient` would be denied at deploy time, and
 * a prefix domain would point at `<prefix>.auth.<stack region>`. A user pool id always starts with
 * its region (`eu-west-1_AbCdEf123`), so the region is read from the id: at synth for a concrete id,
 * with `Fn::Select`/`Fn::Split` in the template for a token.
 */
import { Fn, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { regionOfUserPoolId } from './config-rules';
import { ValidationError } from './errors';

/** The region of `pool` (a token when the pool id is one). */
export function userPoolRegion(pool: cognito.IUserPool): string {
  const id = pool.userPoolId;
  if (!Token.isUnresolved(id)) {
    const region = regionOfUserPoolId(id); // the rule the edge function applies at load
    if (region === undefined) {
      throw new ValidationError(`userPool: ${JSON.stringify(id)} is not a user pool id (<region>_<suffix>, e.g. eu-west-1_AbCdEf123); ` +
        'import the pool with UserPool.fromUserPoolId(scope, id, \'<region>_<suffix>\') or UserPool.fromUserPoolArn');
    }
    return region;
  }
  // Created in the app: its stack's region. Imported with a token id: the id's own prefix.
  if (pool instanceof cognito.UserPool) return pool.env.region;
  return Fn.select(0, Fn.split('_', id));
}

/** The pool's ARN in the pool's own region (see the module comment). */
export function userPoolArn(scope: Construct, pool: cognito.IUserPool): string {
  if (pool instanceof cognito.UserPool) return pool.userPoolArn;
  const region = userPoolRegion(pool);
  const arnRegion = pool.env.region;
  // An ARN-imported pool with a token ARN: its ARN carries the region already.
  if (Token.isUnresolved(arnRegion) || region === arnRegion) return pool.userPoolArn;
  return Stack.of(scope).formatArn({
    service: 'cognito-idp',
    region,
    account: pool.env.account,
    resource: 'userpool',
    resourceName: pool.userPoolId,
  });
}
