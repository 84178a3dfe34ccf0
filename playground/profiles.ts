/**
 * Named playground configurations (`npm run playground -- --profile NAME`): `config.json` fields
 * set on top of what `buildEdgeConfig` makes of the example app, for set-ups the example does not
 * declare. Each is what the construct writes for the props named in its description.
 */
import type { EdgeAuthConfig } from '../lambda-src/shared/edge-config';

export interface PlaygroundProfile {
  /** One line for the start-up banner and `--help`. */
  readonly description: string;
  /** `config.json` fields that replace the example's. */
  readonly config: Partial<EdgeAuthConfig>;
  /** The page to open first. */
  readonly openPath: string;
}

/**
 * Entra ID app roles mapped to the custom attribute `custom:roles` (README, "Groups from the
 * identity provider"): the construct with `groupsClaim: 'custom:roles'`,
 * `requiredGroups: ['Reports.Read']` and `/admin/*` for `Reports.Admin`. The sample users dana
 * (`[Reports.Read, Reports.Admin]`) and erik (`[Reports.Read]`) carry the claim as Cognito writes it.
 */
export const ENTRA_ROLES_PROFILE: PlaygroundProfile = {
  description: 'Entra app roles in the custom:roles claim (groupsClaim), /admin/* needs Reports.Admin',
  config: {
    groupsClaim: 'custom:roles',
    requiredGroups: ['Reports.Read'],
    pathRules: [{ pathPattern: '/admin/*', requiredGroups: ['Reports.Admin'] }],
  },
  openPath: '/admin/users',
};

export const PROFILES: Readonly<Record<string, PlaygroundProfile>> = {
  'entra-roles': ENTRA_ROLES_PROFILE,
};
