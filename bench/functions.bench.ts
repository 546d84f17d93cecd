import { spawn } from 'node:child_process';
import { access, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FUNCTIONS } from '../shared/domain/routing.ts';
import { ms, table } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Bundle size and cold import per function (`npm run bench -- functions`); printed, asserted in no test. */
export async function run(): Promise<void> {
  await functionBundles();
}

export async function functionBundles(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'sn-bench-bundles-'));
  const rows: Array<Record<string, string>> = [];
  for (const fn of FUNCTIONS) {
    const entry = join(ROOT, 'functions', fn.id, 'handler.ts');
    if (
      !(await access(entry).then(
        () => true,
        () => false,
      ))
    )
      continue;
    const outfile = join(out, `${fn.id}.mjs`);
    const t0 = performance.now();
    // The same settings as the CDK stack's NodejsFunction bundling.
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      logLevel: 'silent',
      mainFields: ['module', 'main'],
      banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    });
    const buildMs = performance.now() - t0;
    const { size } = await stat(outfile);
    const importMs = await coldImport(outfile);
    rows.push({ function: fn.id, 'bundle size': `${(size / 1024).toFixed(0)} KiB`, esbuild: ms(buildMs), 'cold import': ms(importMs) });
  }
  await rm(out, { recursive: true, force: true });
  console.log('\nFunction bundles (esbuild, ESM, node22, minified) and cold import time in a fresh Node process:');
  table(rows);
}

function coldImport(file: string): Promise<number> {
  const script = `const t=performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now()-t);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        ...process.env,
        TABLE_NAME: 't',
        UPLOADS_BUCKET: 'b',
        EVENT_BUS_NAME: 'e',
        ID_HASH_SECRET_ID: 'i',
        TOKEN_SECRET_ID: 't',
        AWS_REGION: 'cn-local-1',
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(Number(output.trim().split('\n').pop())) : reject(new Error(`import of ${file} failed`)),
    );
  });
}
