import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The dashboard: TSX components on Vue's runtime, built into web/dist (served by the local platform at `/`). */
export default defineConfig({
  root: here('.'),
  base: '/',
  logLevel: 'warn',
  resolve: {
    alias: [
      { find: /^web-jsx\/jsx-(dev-)?runtime$/, replacement: here('src/jsx-runtime.ts') },
      { find: /^node:crypto$/, replacement: here('src/node-crypto-stub.ts') },
    ],
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'web-jsx' } },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: false,
  },
});
