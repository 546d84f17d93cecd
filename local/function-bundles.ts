import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'safety-net-functions');
/** The folders a function bundle is built from. */
const SOURCES = ['functions', 'shared'];

const built = new Map<string, Promise<string>>();

/**
 * A function's handler bundled as the CDK stack bundles it (esbuild, ESM, one
 * file), so an execution environment starts as on Lambda: one module to load,
 * not hundreds through a TypeScript loader. Bundles are cached by the state of
 * the sources (paths, sizes, modification times) and the lock file.
 */
export function functionBundle(functionsDir: string, id: string): Promise<string> {
  const entry = join(functionsDir, id, 'handler.ts');
  let bundle = built.get(entry);
  if (!bundle) {
    bundle = bundleOf(entry, id);
    built.set(entry, bundle);
    bundle.catch(() => built.delete(entry));
  }
  return bundle;
}

async function bundleOf(entry: string, id: string): Promise<string> {
  const version = await sourcesVersion(entry);
  const outfile = join(CACHE_DIR, `${id}-${version}.mjs`);
  if (
    await stat(outfile).then(
      () => true,
      () => false,
    )
  )
    return outfile;
  await mkdir(CACHE_DIR, { recursive: true });
  const partial = `${outfile}.${process.pid}.tmp`;
  await build({
    entryPoints: [entry],
    outfile: partial,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  });
  await rename(partial, outfile); // atomic: parallel test processes may build the same bundle
  return outfile;
}

async function sourcesVersion(entry: string): Promise<string> {
  const hash = createHash('sha256').update(entry);
  const lock = await stat(join(ROOT, 'package-lock.json')).catch(() => undefined);
  hash.update(`lock:${lock?.size}:${lock?.mtimeMs}`);
  for (const folder of [...SOURCES.map((f) => join(ROOT, f)), dirname(entry)]) {
    const files = await readdir(folder, { recursive: true, withFileTypes: true });
    const stats = await Promise.all(
      files
        .filter((f) => f.isFile())
        .map(async (f) => {
          const path = join(f.parentPath, f.name);
          const s = await stat(path);
          return `${path}:${s.size}:${s.mtimeMs}`;
        }),
    );
    for (const line of stats.sort()) hash.update(line);
  }
  return hash.digest('hex').slice(0, 16);
}
