import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Aws, type CfnElement, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { StageConfig } from '../stage-config.ts';
import { DASHBOARD_SECURITY_HEADERS, dashboardContentSecurityPolicy } from '../../shared/domain/dashboard-headers.ts';

/** The dashboard as `vite build` writes it; a placeholder page when it was not built (synth and infra tests work without it). */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
export const PLACEHOLDER_SITE = fileURLToPath(new URL('../dashboard-placeholder/', import.meta.url));

export function siteDirectory(dist = WEB_DIST): string {
  return existsSync(`${dist}/index.html`) ? dist : PLACEHOLDER_SITE;
}

export interface DashboardHostingProps {
  config: StageConfig;
  removalPolicy: RemovalPolicy;
  /** Where the site bucket's server access logs go. */
  accessLogBucket: s3.IBucket;
  /** The platform key, for the deployment function's log group (every log group of the stack uses it). */
  key: kms.IKey;
}

/**
 * The dashboard's static files in a private bucket, served only through CloudFront
 * (origin access control), with strict security headers. S3-managed encryption: the
 * bundle is public code holding no data, and OAC reads SSE-S3 objects without a grant
 * on the platform key that protects personal data.
 */
export class DashboardHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://…` of the dashboard: the hosted login's callback and the only origin the API and bucket CORS admit. */
  readonly origin: string;
  private readonly props: DashboardHostingProps;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);
    this.props = props;
    const { config, removalPolicy, accessLogBucket } = props;
    const { dashboard } = config;
    this.bucket = new s3.Bucket(this, 'SiteBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogBucket,
      serverAccessLogsPrefix: 'dashboard-site/',
      // Every bucket of the stack is versioned: a bad deploy's files can be restored until they expire.
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(config.noncurrentVersionRetentionDays) }],
      removalPolicy,
      autoDeleteObjects: config.autoDeleteObjects,
    });

    // CloudFront's standard logs are delivered with ACLs: this bucket allows them, nothing else does.
    const logBucket = new s3.Bucket(this, 'CdnLogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        {
          expiration: Duration.days(config.accessLogRetentionDays),
          noncurrentVersionExpiration: Duration.days(config.accessLogRetentionDays),
        },
      ],
      removalPolicy,
      autoDeleteObjects: config.autoDeleteObjects,
    });
    Validations.of(logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "This bucket receives CloudFront's access logs of the dashboard; logging the log bucket itself would only log log deliveries.",
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: `safety-net-${config.stage}-dashboard`,
      comment: 'Strict security headers of the Safety Net dashboard',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: dashboardCsp(dashboard.loginDomainPrefix), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: DASHBOARD_SECURITY_HEADERS['X-Frame-Options'] as cloudfront.HeadersFrameOption, override: true },
        referrerPolicy: {
          referrerPolicy: DASHBOARD_SECURITY_HEADERS['Referrer-Policy'] as cloudfront.HeadersReferrerPolicy,
          override: true,
        },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Permissions-Policy', value: DASHBOARD_SECURITY_HEADERS['Permissions-Policy'], override: true }],
      },
    });

    const custom = dashboard.customDomain;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Safety Net ${config.stage} dashboard`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // Asia (Shaoxing's users) is in price class 200.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
      ...(custom
        ? {
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            domainNames: [custom.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', custom.certificateArn),
          }
        : {}),
      geoRestriction: cloudfront.GeoRestriction.allowlist(...dashboard.allowedCountries),
      enableLogging: true,
      logBucket,
      logFilePrefix: 'dashboard/',
    });
    this.origin = `https://${custom?.domainName ?? this.distribution.distributionDomainName}`;

    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'The distribution serves only the static dashboard bundle (no data, GET/HEAD only); a CloudFront WAF web ACL lives in us-east-1 and is left to the bureau’s shared edge protection.',
    });
    if (!custom) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason: `${config.stage} has no custom domain by its stage config: CloudFront's default certificate cannot refuse TLS 1.0; prod must configure one (stage config rule).`,
      });
    }
  }

  /**
   * Uploads the built site (or the placeholder) with `config.json`, the values the app
   * needs at run time (API URL, hosted login, client id), and invalidates the cache.
   */
  deploySite(runtimeConfig: Record<string, string>, directory = siteDirectory()): s3deploy.BucketDeployment {
    const deployment = new s3deploy.BucketDeployment(this, 'Site', {
      sources: [s3deploy.Source.asset(directory), s3deploy.Source.jsonData('config.json', runtimeConfig)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
      logGroup: new logs.LogGroup(this, 'SiteDeploymentLogs', {
        retention: this.props.config.logRetentionDays as logs.RetentionDays,
        encryptionKey: this.props.key,
        removalPolicy: this.props.removalPolicy,
      }),
    });
    // The copy runs in CDK's own singleton function, created beside the stack's other resources.
    const stack = Stack.of(this);
    for (const child of stack.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      const deployReason =
        "CDK's BucketDeployment function (deploy time only) reads the stack's asset objects, writes every object of the site bucket (keys are the build's file names) and invalidates the distribution";
      Validations.of(child).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason:
            "CDK's BucketDeployment function logs with the AWS managed AWSLambdaBasicExecutionRole; it only copies the site at deploy time.",
        },
        {
          id: 'AwsSolutions-L1',
          reason: "The BucketDeployment function's runtime is pinned by aws-cdk-lib (it bundles the AWS CLI); it runs only during deploys.",
        },
        ...[
          'Action::s3:GetBucket*',
          'Action::s3:GetObject*',
          'Action::s3:List*',
          'Action::s3:Abort*',
          'Action::s3:DeleteObject*',
          `Resource::arn:aws:s3:::cdk-hnb659fds-assets-${stack.account}-${stack.region}/*`,
          `Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>/*`,
          'Resource::*',
        ].map((finding) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason: `${deployReason} (${finding}).` })),
      );
    }
    return deployment;
  }
}

/**
 * The dashboard's Content-Security-Policy on AWS. The API and bucket appear as their regional
 * wildcards: naming them would make the policy depend on resources whose CORS names the
 * distribution, a cycle.
 */
export function dashboardCsp(loginDomainPrefix: string): string {
  return dashboardContentSecurityPolicy([
    `https://*.execute-api.${Aws.REGION}.amazonaws.com`,
    `https://${loginDomainPrefix}.auth.${Aws.REGION}.amazoncognito.com`,
    `https://*.s3.${Aws.REGION}.amazonaws.com`,
  ]);
}
