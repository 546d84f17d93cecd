#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so the same modules serve AWS bundles and the local runtime.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../local/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
