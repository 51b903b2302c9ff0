/**
 * Vite plugin: lets tfjs-backend-wasm 4.22 start its threaded (pthreads) build from our bundled
 * worker. tfjs hands each pthread worker the Emscripten factory as
 * `new Blob(['var WasmBackendModuleThreadedSimd = ' + factory.toString()])`; once bundled, that
 * function's text refers to variables the bundler renamed outside it (`_scriptDir` became `e`),
 * so every pthread worker throws "ReferenceError: e is not defined" and the backend never starts.
 * This plugin makes the Blob hold the factory's original, self-contained source file instead
 * (imported with `?raw`), and marks the module so the worker knows threads can start
 * (WASM_THREADS_PATCHED). The build fails loudly if a tfjs update changes the code it replaces.
 *
 * Only `vite build` runs it (dependency pre-bundling in `vite dev` skips plugins), so the dev
 * server keeps wasm on one thread; preview and the production build get threads.
 */
import type { Plugin } from 'vite';

/** The global the patched module sets, read by src/worker/backend.ts. */
export const WASM_THREADS_PATCHED = '__hpaWasmThreadsPatched';

const TARGET = /new Blob\(\[`var WasmBackendModuleThreadedSimd = ` \+\s*wasmFactoryThreadedSimd\.toString\(\)\]/;

export function tfjsWasmThreads(): Plugin {
  return {
    name: 'hpa-tfjs-wasm-threads',
    apply: 'build',
    transform(code, id) {
      if (!/[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/]dist[\\/]backend_wasm\.js$/.test(id.split('?')[0])) return null;
      if (!TARGET.test(code))
        this.error('tfjs-backend-wasm: the threaded-factory Blob this plugin patches was not found (tfjs changed?): update buildtools/tfjsWasmThreads.ts');
      return {
        code:
          `import __hpaThreadedFactorySource from '../wasm-out/tfjs-backend-wasm-threaded-simd.js?raw';\n` +
          code.replace(TARGET, 'new Blob([__hpaThreadedFactorySource]') +
          `\nglobalThis.${WASM_THREADS_PATCHED} = true;\n`,
        map: null,
      };
    },
  };
}
