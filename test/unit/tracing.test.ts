import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Imports observability.ts in a fresh process and says whether the X-Ray SDK (its cls-hooked async hook) was loaded. */
function probe(env: Record<string, string>): { tracer: boolean; xraySdkLoaded: boolean } {
  const script = `
    const { tracer, traced } = await import('./shared/adapters/observability.ts');
    const client = {};
    console.log(JSON.stringify({ tracer: tracer !== undefined, xraySdkLoaded: process.namespaces !== undefined, same: traced(client) === client }));
  `;
  const { AWS_XRAY_DAEMON_ADDRESS: _, ...rest } = process.env;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...rest, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

describe('tracing', () => {
  it('outside Lambda the X-Ray SDK is never loaded: its async hook would tax every promise of the local runtime', () => {
    expect(probe({})).toEqual({ tracer: false, xraySdkLoaded: false, same: true });
  });

  it('on Lambda (the runtime sets AWS_XRAY_DAEMON_ADDRESS) the tracer is there and wraps the SDK clients', () => {
    expect(probe({ AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000' })).toMatchObject({ tracer: true, xraySdkLoaded: true });
  });
});
