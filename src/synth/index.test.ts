import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as synth from './index';

describe('synth public API', () => {
  it('exports the names other code is written against', () => {
    for (const name of ['renderSample', 'planDataset', 'writeDatasetZip', 'makeDatasetZip'])
      expect(typeof (synth as Record<string, unknown>)[name], name).toBe('function');
  });

  it('imports no Node built-in, directly or through src/core, so it runs in a browser Worker', () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const seen = new Set<string>();
    const visit = (url: URL) => {
      if (seen.has(url.href)) return;
      seen.add(url.href);
      const source = readFileSync(url, 'utf8');
      for (const [, spec] of source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        expect(builtins.has(spec) || spec.startsWith('node:'), `${url.pathname} imports ${spec}`).toBe(false);
        if (spec.startsWith('.')) visit(new URL(spec.endsWith('.ts') ? spec : `${spec}.ts`, url));
      }
    };
    const files = readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    for (const f of files) visit(new URL(f, import.meta.url));
    expect(seen.size).toBeGreaterThanOrEqual(files.length + 1); // at least one module of src/core followed
  });
});
