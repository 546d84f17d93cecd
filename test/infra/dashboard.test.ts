import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PLACEHOLDER_SITE, siteDirectory } from '../../infra/constructs/dashboard-hosting.ts';
import { addSafetyNetStacks } from '../../infra/safety-net-app.ts';
import { STAGE_DEFAULTS, STAGE_NAMES, stageConfigSchema, type StageName } from '../../infra/stage-config.ts';
import { UNIT_CODES } from '../../shared/domain/units.ts';
import { DASHBOARD_SECURITY_HEADERS } from '../../shared/domain/dashboard-headers.ts';

// One app for every stage, as the CLI builds it (cdk-nag included: an unacknowledged finding throws in Template.fromStack).
const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
const stacks = addSafetyNetStacks(new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } }));
const templates = new Map<StageName, Template>();
const templateOf = (stage: StageName) => {
  if (!templates.has(stage)) templates.set(stage, Template.fromStack(stacks[stage]));
  return templates.get(stage)!;
};
type Resource = { Type: string; Properties: Record<string, any> };
const resources = (template: Template, type: string) => Object.entries(template.findResources(type)) as Array<[string, Resource]>;
const only = (template: Template, type: string) => {
  const found = resources(template, type);
  expect(found, type).toHaveLength(1);
  return found[0];
};

describe.each(STAGE_NAMES)('SafetyNet-%s: dashboard on AWS', (stage) => {
  const config = stacks[stage].config;
  const template = () => templateOf(stage);
  const distributionId = () => only(template(), 'AWS::CloudFront::Distribution')[0];
  /** The dashboard's origin as the template writes it: the custom domain, or the distribution's own name. */
  const dashboardOrigin = () =>
    config.dashboard.customDomain
      ? `https://${config.dashboard.customDomain.domainName}`
      : { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId(), 'DomainName'] }]] };

  it('keeps the site in a private, encrypted bucket that only this distribution reads (origin access control)', () => {
    const [siteBucketId] = resources(template(), 'AWS::S3::Bucket').find(([id]) => id.startsWith('DashboardSiteBucket'))!;
    template().hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { LogFilePrefix: 'dashboard-site/' },
    });
    const oac = only(template(), 'AWS::CloudFront::OriginAccessControl');
    expect(oac[1].Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' });
    const policy = resources(template(), 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === siteBucketId)!;
    const grant = policy[1].Properties.PolicyDocument.Statement.find(
      (s: { Principal?: { Service?: string } }) => s.Principal?.Service === 'cloudfront.amazonaws.com',
    );
    expect(grant.Action).toBe('s3:GetObject');
    expect(JSON.stringify(grant.Condition)).toContain(distributionId());
    const [, distribution] = only(template(), 'AWS::CloudFront::Distribution');
    const [origin] = distribution.Properties.DistributionConfig.Origins;
    expect(origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oac[0], 'Id'] });
    expect(origin.S3OriginConfig.OriginAccessIdentity).toBe('');
  });

  it('serves HTTPS only, with strict security headers, geo restriction and access logs', () => {
    const [, distribution] = only(template(), 'AWS::CloudFront::Distribution');
    const d = distribution.Properties.DistributionConfig;
    const [headersPolicyId, headersPolicy] = only(template(), 'AWS::CloudFront::ResponseHeadersPolicy');
    expect(d.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      ResponseHeadersPolicyId: { Ref: headersPolicyId },
    });
    expect(d.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(d.DefaultRootObject).toBe('index.html');
    expect(d.Restrictions.GeoRestriction).toEqual({ RestrictionType: 'whitelist', Locations: config.dashboard.allowedCountries });
    expect(d.Logging.Bucket).toBeDefined();
    const security = headersPolicy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(security.ContentSecurityPolicy.ContentSecurityPolicy);
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"])
      expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe');
    expect(csp).toContain(`https://${config.dashboard.loginDomainPrefix}.auth.`);
    expect(security.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true, Override: true });
    expect(security.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(365 * 24 * 3600);
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(security.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    // the same headers as the local site sends (one definition)
    expect(security.FrameOptions.FrameOption).toBe(DASHBOARD_SECURITY_HEADERS['X-Frame-Options']);
    expect(security.ReferrerPolicy.ReferrerPolicy).toBe(DASHBOARD_SECURITY_HEADERS['Referrer-Policy']);
    expect(headersPolicy.Properties.ResponseHeadersPolicyConfig.CustomHeadersConfig.Items).toContainEqual({
      Header: 'Permissions-Policy',
      Value: DASHBOARD_SECURITY_HEADERS['Permissions-Policy'],
      Override: true,
    });
    if (config.dashboard.customDomain) {
      expect(d.Aliases).toEqual([config.dashboard.customDomain.domainName]);
      expect(d.ViewerCertificate).toEqual({
        AcmCertificateArn: config.dashboard.customDomain.certificateArn,
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      });
    } else {
      expect(d.ViewerCertificate).toBeUndefined(); // CloudFront's default certificate (acknowledged for this stage: CFR4)
    }
  });

  it('deploys the built site (or the placeholder) with its runtime config and invalidates the cache', () => {
    const [, deployment] = only(template(), 'Custom::CDKBucketDeployment');
    expect(deployment.Properties.DestinationBucketName.Ref).toMatch(/^DashboardSiteBucket/);
    expect(deployment.Properties.DistributionId).toEqual({ Ref: distributionId() });
    expect(deployment.Properties.DistributionPaths).toEqual(['/*']);
    // config.json's deploy-time values: the API, the user pool and its dashboard client.
    const markers = JSON.stringify(deployment.Properties.SourceMarkers);
    const [apiId] = only(template(), 'AWS::ApiGatewayV2::Api');
    for (const type of ['AWS::Cognito::UserPool', 'AWS::Cognito::UserPoolClient'])
      expect(markers).toContain(`{"Ref":"${only(template(), type)[0]}"}`);
    expect(markers).toContain(`{"Ref":"${apiId}"}`);
  });

  it('has a user pool without self sign-up, strong passwords, threat protection, MFA per stage, unit and role', () => {
    const [poolId, pool] = only(template(), 'AWS::Cognito::UserPool');
    const p = pool.Properties;
    expect(p.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(p.MfaConfiguration).toBe(config.dashboard.mfa === 'required' ? 'ON' : 'OPTIONAL');
    expect(p.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(p.Policies.PasswordPolicy).toMatchObject({
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    });
    expect(p.UserPoolTier).toBe('PLUS');
    expect(p.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
    expect(p.Schema).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Name: 'unit', AttributeDataType: 'String' }),
        expect.objectContaining({ Name: 'role', AttributeDataType: 'String' }),
      ]),
    );
    const groups = resources(template(), 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName);
    expect(groups.sort()).toEqual([...['admin', 'city', 'district'].map((r) => `role-${r}`), ...UNIT_CODES.map((u) => `unit-${u}`)].sort());
    template().hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: config.dashboard.loginDomainPrefix,
      UserPoolId: { Ref: poolId },
    });
  });

  it('logs in through the hosted login with the authorization code flow (PKCE, no secret), back to the dashboard', () => {
    const [, client] = only(template(), 'AWS::Cognito::UserPoolClient');
    const c = client.Properties;
    expect(c.AllowedOAuthFlows).toEqual(['code']);
    expect(c.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(c.GenerateSecret).toBe(false);
    expect(c.SupportedIdentityProviders).toEqual(['COGNITO']);
    const origin = dashboardOrigin();
    const withSlash = typeof origin === 'string' ? `${origin}/` : { 'Fn::Join': ['', [...origin['Fn::Join'][1], '/']] };
    expect(c.CallbackURLs).toEqual([withSlash]);
    expect(c.LogoutURLs).toEqual([withSlash]);
    expect(c.ReadAttributes).toEqual(expect.arrayContaining(['custom:unit', 'custom:role']));
    expect(c.WriteAttributes.filter((a: string) => a.startsWith('custom:'))).toEqual([]);
    expect(c.ExplicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
  });

  it("puts the JWT authorizer on every API route but /health and /openapi.json, accepting the pool's dashboard client", () => {
    const [authorizerId, authorizer] = only(template(), 'AWS::ApiGatewayV2::Authorizer');
    const [poolId] = only(template(), 'AWS::Cognito::UserPool');
    const [clientId] = only(template(), 'AWS::Cognito::UserPoolClient');
    expect(authorizer.Properties).toMatchObject({ AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    expect(authorizer.Properties.JwtConfiguration.Audience).toEqual([{ Ref: clientId }]);
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer)).toContain(poolId);
    const routes = resources(template(), 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    const byKey = Object.fromEntries(routes.map((r) => [r.RouteKey, r]));
    expect(Object.keys(byKey).sort()).toEqual(['$default', 'GET /health', 'GET /openapi.json']);
    expect(byKey.$default).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    for (const key of ['GET /health', 'GET /openapi.json']) expect(byKey[key].AuthorizationType).toBe('NONE');
  });

  it("admits only the dashboard's origin: API preflight and the uploads bucket's CORS for browser uploads", () => {
    const [, api] = only(template(), 'AWS::ApiGatewayV2::Api');
    expect(api.Properties.CorsConfiguration).toMatchObject({ AllowOrigins: [dashboardOrigin()], AllowMethods: ['GET', 'POST'] });
    expect(api.Properties.CorsConfiguration.AllowHeaders).toEqual(['authorization', 'content-type']);
    const uploads = resources(template(), 'AWS::S3::Bucket').find(([id]) => id.startsWith('UploadsBucket'))!;
    expect(uploads[1].Properties.CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({ AllowedOrigins: [dashboardOrigin()], AllowedMethods: ['PUT', 'GET', 'HEAD'] }),
    ]);
    const others = resources(template(), 'AWS::S3::Bucket').filter(([id]) => !id.startsWith('UploadsBucket'));
    for (const [, bucket] of others) expect(bucket.Properties.CorsConfiguration).toBeUndefined();
  });
});

describe('dashboard stage config and site folder', () => {
  it('requires MFA and a custom domain (TLS 1.2) in prod', () => {
    const prod = STAGE_DEFAULTS.prod;
    expect(stageConfigSchema.safeParse(prod).success).toBe(true);
    expect(stageConfigSchema.safeParse({ ...prod, dashboard: { ...prod.dashboard, mfa: 'optional' } }).success).toBe(false);
    expect(stageConfigSchema.safeParse({ ...prod, dashboard: { ...prod.dashboard, customDomain: undefined } }).success).toBe(false);
    expect(stageConfigSchema.safeParse({ ...prod, dashboard: { ...prod.dashboard, loginDomainPrefix: 'my-cognito-login' } }).success).toBe(
      false,
    );
  });

  it('deploys web/dist when it was built, and the placeholder page otherwise', () => {
    expect(siteDirectory('/nonexistent/web/dist/')).toBe(PLACEHOLDER_SITE);
    expect(siteDirectory(PLACEHOLDER_SITE)).toBe(PLACEHOLDER_SITE.replace(/\/$/, '/'));
    expect(readFileSync(`${PLACEHOLDER_SITE}/index.html`, 'utf8')).toContain('npm run build:web');
  });
});
