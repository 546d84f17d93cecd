import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The dashboard: TSX components on Vue's runtime, built into web/dist (served by the local platform at `/`). */
export default defineConfig({
  root: here('.'),
  base: '/',
  logLevel: 'warn',
  resolve: {
    alias: [{ find: /^web-jsx\/jsx-(dev-)?runtime$/, replacement: here('src/jsx-runtime.ts') }],
  },
  plugins: [
    {
      // shared modules the dashboard imports must not reach for Node: fail the build rather than ship a stub
      name: 'no-node-builtins',
      enforce: 'pre',
      resolveId(id, importer) {
        if (id.startsWith('node:')) throw new Error(`${importer} imports ${id}: the dashboard runs in the browser`);
      },
    },
  ],
  oxc: { jsx: { runtime: 'automatic', importSource: 'web-jsx' } },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: false,
  },
});
