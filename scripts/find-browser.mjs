#!/usr/bin/env node
// Finds a Chromium for the end-to-end tests: Playwright's own if installed, else a system
// Chromium or Chrome. As a script it prints the path, or one line saying how to install one.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export const INSTALL_HINT =
  'No Chromium found for the end-to-end tests: run `npx playwright install chromium`, or on Debian/Ubuntu `sudo apt-get install -y chromium` (or set HPA_CHROMIUM=/path/to/chrome).';

/** @returns {string | null} */
export function findChromium() {
  const fromEnv = process.env.HPA_CHROMIUM;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  try {
    const own = require('playwright-core').chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // Playwright's own browsers are not installed: try the system ones.
  }
  return SYSTEM_BROWSERS.find((p) => existsSync(p)) ?? null;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const path = findChromium();
  if (!path) {
    console.error(INSTALL_HINT);
    process.exit(1);
  }
  console.log(path);
}
