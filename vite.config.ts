import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { tfjsWasmThreads } from './buildtools/tfjsWasmThreads';

// Cross-origin isolation lets the wasm backend use threads (SharedArrayBuffer) and gives
// precise performance timers. Every asset is served from our own origin, so COEP costs nothing.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react(), tfjsWasmThreads()],
  worker: { format: 'es', plugins: () => [tfjsWasmThreads()] },
  server: { port: 5173, strictPort: true, headers: isolation },
  preview: { port: 5173, strictPort: true, headers: isolation },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
