import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(name) && !name.endsWith('.test.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
}

describe('layering rules of architecture.md', () => {
  it('src/core is pure: no DOM frameworks, storage, Node built-ins or imports from data/worker/ui/cli', () => {
    const offenders = files(join(SRC, 'core')).flatMap((f) =>
      imports(f)
        .filter((i) => /^(react|react-dom|zustand|recharts|idb)(\/|$)|^node:|^(fs|path|os|zlib)$/.test(i) || /(^|\/)\.\.\/(\.\.\/)*(data|worker|ui|cli)(\/|$)/.test(i))
        .map((i) => `${relative(SRC, f)} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the UI never imports tfjs', () => {
    const offenders = files(join(SRC, 'ui')).flatMap((f) =>
      imports(f)
        .filter((i) => i.startsWith('@tensorflow/') || /(^|\/)core\/(probe|models|train|losses)/.test(i))
        .map((i) => `${relative(SRC, f)} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the UI talks to workers only through the protocol file', () => {
    const offenders = files(join(SRC, 'ui')).flatMap((f) =>
      imports(f)
        .filter((i) => /\/worker\//.test(i) && !/\/worker\/protocol$/.test(i))
        .map((i) => `${relative(SRC, f)} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });
});
