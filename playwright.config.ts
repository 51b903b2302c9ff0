import { defineConfig } from '@playwright/test';
import { findChromium, INSTALL_HINT } from './scripts/find-browser.mjs';

const executablePath = findChromium();
if (!executablePath) throw new Error(INSTALL_HINT);

const PORT = Number(process.env.HPA_E2E_PORT ?? 4179);
// As root Chromium needs --no-sandbox; the rest keep it from calling home on a closed network.
const common = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export default defineConfig({
  testDir: 'e2e',
  // Generous bounds for a slow CI machine; long work is awaited by state (e2e/fixtures/studio.ts UNTIL_DONE).
  timeout: 600_000,
  expect: { timeout: 180_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: { baseURL: `http://127.0.0.1:${PORT}`, trace: 'retain-on-failure' },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
  projects: [
    {
      // Headless WebGPU: SwiftShader's software adapter. Slow, so tests use tiny images.
      name: 'webgpu',
      testIgnore: [/fallback\.spec\.ts/, /faults\//],
      use: { launchOptions: { executablePath, args: [...common, '--enable-unsafe-webgpu'] } },
    },
    {
      // No WebGPU flags: the studio must fall back to WebGL and say why.
      name: 'webgl-fallback',
      testMatch: /fallback\.spec\.ts/,
      use: { launchOptions: { executablePath, args: common } },
    },
    {
      // Faults of the browser itself (GPU device lost, storage full, two tabs, a crash mid-write): each
      // case provokes the fault for real and checks what the user is left with (docs/reliability.md).
      name: 'faults',
      testMatch: /faults\/.*\.spec\.ts/,
      use: { launchOptions: { executablePath, args: [...common, '--enable-unsafe-webgpu'] } },
    },
  ],
});
