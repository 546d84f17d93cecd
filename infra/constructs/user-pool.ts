import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ROLE_GROUP_PREFIX, UNIT_GROUP_PREFIX } from '../../functions/api/authorizer-claims.ts';
import { UNIT_CODES } from '../../shared/domain/units.ts';

export interface DashboardUserPoolProps {
  stage: string;
  mfa: 'optional' | 'required';
  loginDomainPrefix: string;
  /** Where the hosted login sends people back (the dashboard's origin, https). */
  dashboardUrl: string;
  removalPolicy: RemovalPolicy;
}

const ROLES = ['district', 'city', 'admin'] as const;

/**
 * The people who use the dashboard: a Cognito user pool administrators fill (no self
 * sign-up), whose users carry their unit and role as the immutable-by-users custom
 * attributes `custom:unit` / `custom:role` (in the ID token) or as the groups
 * `unit-<code>` / `role-<role>` (in both tokens); the hosted login with an app client
 * for the authorization code flow with PKCE (a public client: no secret in a browser).
 */
export class DashboardUserPool extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: DashboardUserPoolProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `safety-net-${props.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      mfa: props.mfa === 'required' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      // TOTP apps only: SMS codes are phishable and cost per message.
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus: threat protection blocks sign-ins from compromised credentials and risky attempts.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      customAttributes: {
        unit: new cognito.StringAttribute({ minLen: 6, maxLen: 6, mutable: true }),
        role: new cognito.StringAttribute({ minLen: 4, maxLen: 8, mutable: true }),
      },
      deletionProtection: props.removalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy: props.removalPolicy,
    });
    for (const role of ROLES) this.group(`${ROLE_GROUP_PREFIX}${role}`, `角色 ${role}`);
    for (const unit of UNIT_CODES) this.group(`${UNIT_GROUP_PREFIX}${unit}`, `填报单位 ${unit}`);

    this.domain = this.userPool.addDomain('HostedLogin', {
      cognitoDomain: { domainPrefix: props.loginDomainPrefix },
      managedLoginVersion: cognito.ManagedLoginVersion.CLASSIC_HOSTED_UI,
    });
    // Users read their unit and role but cannot write them: administrators set them.
    const standard = { email: true, preferredUsername: true, fullname: true };
    this.client = this.userPool.addClient('DashboardClient', {
      userPoolClientName: `safety-net-${props.stage}-dashboard`,
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [props.dashboardUrl],
        logoutUrls: [props.dashboardUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: new cognito.ClientAttributes().withStandardAttributes(standard).withCustomAttributes('unit', 'role'),
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes(standard),
    });
  }

  /** The issuer the HTTP API's JWT authorizer trusts. */
  get issuerUrl(): string {
    return `https://cognito-idp.${this.userPool.stack.region}.amazonaws.com/${this.userPool.userPoolId}`;
  }

  private group(groupName: string, description: string): void {
    new cognito.CfnUserPoolGroup(this, `Group-${groupName}`, { userPoolId: this.userPool.userPoolId, groupName, description });
  }
}
