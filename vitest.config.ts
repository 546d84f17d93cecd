import { defineConfig } from 'vitest/config';

// Quiet by default: the functions' logs and metrics, the SDK's Node-version notice and CDK's bundling
// lines stay out of the report. A test that needs the logs turns them on and captures them itself.
const QUIET_ENV = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
  POWERTOOLS_DEV: 'false',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

/** One vitest project per test layer: `npm run test:unit`, `test:adapter`, `test:infra`, `test:e2e`; `npm test` runs them all. */
const layer = (name: string) => ({
  extends: true as const,
  test: { name, include: [`test/${name}/**/*.test.ts`] },
});

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: QUIET_ENV,
    projects: [layer('unit'), layer('adapter'), layer('infra'), layer('e2e'), layer('browser')],
  },
});
