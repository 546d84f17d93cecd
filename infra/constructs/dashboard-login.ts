import { Aws, Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { API_ROUTES } from '../../functions/api/openapi/route-table.ts';
import { DASHBOARD_BUCKET_CORS } from '../../shared/domain/dashboard-cors.ts';
import type { StageConfig } from '../stage-config.ts';
import { DashboardUserPool } from './user-pool.ts';

export interface DashboardLoginProps {
  config: StageConfig;
  removalPolicy: RemovalPolicy;
  dashboardOrigin: string;
}

/** The routes that answer without a token, as the API's route table marks them (health checks, the OpenAPI document). */
export const PUBLIC_API_ROUTES = API_ROUTES.filter(
  (r) => r.auth === 'none' && r.method === 'get' && r.path !== '/' && r.path !== '/dashboard',
);

/**
 * Login for the dashboard on AWS: the user pool and its hosted login, the HTTP API's
 * JWT authorizer that accepts exactly that pool's tokens for the dashboard's client,
 * and what the browser may do across origins (API preflight, uploads bucket CORS).
 */
export class DashboardLogin extends Construct {
  readonly pool: DashboardUserPool;
  readonly authorizer: HttpJwtAuthorizer;
  readonly uploadsBucketCors: s3.CorsRule;
  private readonly dashboardOrigin: string;
  private readonly loginDomainPrefix: string;

  constructor(scope: Construct, id: string, { config, removalPolicy, dashboardOrigin }: DashboardLoginProps) {
    super(scope, id);
    this.dashboardOrigin = dashboardOrigin;
    this.loginDomainPrefix = config.dashboard.loginDomainPrefix;
    this.pool = new DashboardUserPool(this, 'Users', {
      stage: config.stage,
      mfa: config.dashboard.mfa,
      loginDomainPrefix: config.dashboard.loginDomainPrefix,
      dashboardUrl: `${dashboardOrigin}/`,
      removalPolicy,
    });
    if (config.dashboard.mfa === 'optional') {
      Validations.of(this.pool.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason: `MFA is optional in ${config.stage} by its stage config (synthetic data, test accounts); staging and prod require TOTP MFA.`,
      });
    }
    this.authorizer = new HttpJwtAuthorizer('CognitoAuthorizer', this.pool.issuerUrl, {
      jwtAudience: [this.pool.client.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });
    const { allowedMethods, allowedHeaders, exposedHeaders, maxAgeSeconds } = DASHBOARD_BUCKET_CORS;
    this.uploadsBucketCors = {
      allowedOrigins: [dashboardOrigin],
      allowedMethods: allowedMethods.map((m) => m as s3.HttpMethods),
      allowedHeaders: [...allowedHeaders],
      exposedHeaders: [...exposedHeaders],
      maxAge: maxAgeSeconds,
    };
  }

  /** `GET /health` and `GET /openapi.json` without the authorizer (load balancers and API clients read them without a login). */
  addPublicRoutes(httpApi: apigwv2.HttpApi, integration: HttpLambdaIntegration): void {
    for (const route of PUBLIC_API_ROUTES) {
      const [created] = httpApi.addRoutes({
        path: route.path,
        methods: [route.method.toUpperCase() as apigwv2.HttpMethod],
        integration,
        authorizer: new apigwv2.HttpNoneAuthorizer(),
      });
      Validations.of(created).acknowledge(
        {
          id: 'AwsSolutions-APIG4',
          reason: `${route.method.toUpperCase()} ${route.path} is public by the API contract: it carries no personal or unit data.`,
        },
        {
          id: 'AwsSolutions-COG4',
          reason: `${route.method.toUpperCase()} ${route.path} is public by the API contract: it carries no personal or unit data.`,
        },
      );
    }
  }

  /** What the dashboard reads from `config.json` on AWS to log in (authorization code + PKCE) and call the API. */
  runtimeConfig(apiUrl: string): Record<string, string> {
    return {
      apiUrl,
      region: Aws.REGION,
      userPoolId: this.pool.userPool.userPoolId,
      clientId: this.pool.client.userPoolClientId,
      loginUrl: `https://${this.loginDomainPrefix}.auth.${Aws.REGION}.amazoncognito.com`,
      redirectUri: `${this.dashboardOrigin}/`,
    };
  }
}

/** The API's CORS preflight: the dashboard's origin only, with the bearer token. */
export function dashboardApiCors(dashboardOrigin: string): apigwv2.CorsPreflightOptions {
  return {
    allowOrigins: [dashboardOrigin],
    allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST],
    allowHeaders: ['authorization', 'content-type'],
    maxAge: Duration.minutes(10),
  };
}
