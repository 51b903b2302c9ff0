/**
 * Builds the studio AND the bench page into one folder (bench/tmp/site), so `vite preview` serves
 * both from one origin: the bench page's worker then reads the datasets the studio imported
 * (same IndexedDB catalog and OPFS pixel store). Same headers as the studio (cross-origin isolated).
 *   npx vite build --config bench/browser/vite.config.ts
 *   npx vite preview --config bench/browser/vite.config.ts --port N
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vite';
import studio from '../../vite.config';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default mergeConfig(
  studio,
  defineConfig({
    root,
    build: {
      outDir: fileURLToPath(new URL('../tmp/site', import.meta.url)),
      emptyOutDir: true,
      rollupOptions: { input: { studio: `${root}index.html`, bench: `${root}bench/browser/bench.html` } },
    },
    server: { strictPort: false },
    preview: { strictPort: true },
  }),
);
