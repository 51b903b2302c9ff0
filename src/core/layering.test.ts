import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(name) && !name.endsWith('.test.ts') ? [p] : [];
  });
}

function imports(file: string, { valuesOnly = false } = {}): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*((?:import|export)[^'"]*?)from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .filter((m) => !(valuesOnly && m[1] && /^(import|export)\s+type\b/.test(m[1])))
    .map((m) => m[2] ?? m[3]);
}

describe('layering rules of docs/architecture.md', () => {
  it('src/core is pure: no DOM frameworks, storage, Node built-ins or imports from data/worker/ui/cli', () => {
    const offenders = files(join(SRC, 'core')).flatMap((f) =>
      imports(f)
        .filter(
          (i) =>
            /^(react|react-dom|zustand|recharts|idb)(\/|$)|^node:|^(fs|path|os|zlib)$/.test(i) || /(^|\/)\.\.\/(\.\.\/)*(data|worker|ui|cli)(\/|$)/.test(i),
        )
        .map((i) => `${relative(SRC, f)} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the UI never imports tfjs', () => {
    const offenders = files(join(SRC, 'ui')).flatMap((f) =>
      imports(f)
        .filter((i) => i.startsWith('@tensorflow/') || /(^|\/)core\/(probe|models\/(?!catalog$)|train|losses)/.test(i))
        .map((i) => `${relative(SRC, f)} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('nothing the UI imports, directly or through other modules, pulls in tfjs', () => {
    const resolve = (from: string, spec: string): string | null => {
      if (!spec.startsWith('.')) return null;
      const base = join(dirname(from), spec);
      for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')])
        if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
      return null;
    };
    const offenders: string[] = [];
    const seen = new Set<string>();
    const visit = (file: string, chain: string[]) => {
      if (seen.has(file)) return;
      seen.add(file);
      // type-only imports vanish at build time: only value imports reach the bundle
      for (const spec of imports(file, { valuesOnly: true })) {
        if (spec.startsWith('@tensorflow/')) offenders.push([...chain, relative(SRC, file), spec].join(' → '));
        // worker entry points are loaded with new Worker(new URL(...)), not imported
        const next = resolve(file, spec);
        if (next && !/\.worker\.ts$/.test(next)) visit(next, [...chain, relative(SRC, file)]);
      }
    };
    for (const f of files(join(SRC, 'ui'))) visit(f, []);
    visit(join(SRC, 'main.tsx'), []);
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
