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

/** The file a relative import resolves to, or null (a package, or not found). */
function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = join(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')])
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return null;
}

/** The imports of files under `from` (tests aside) that resolve to a file under `to`. */
function importsInto(from: string, to: string): string[] {
  return files(from).flatMap((f) =>
    imports(f)
      .filter((i) => {
        const target = resolveImport(f, i);
        return target !== null && !relative(to, target).startsWith('..');
      })
      .map((i) => `${relative(SRC, f)} imports ${i}`),
  );
}

/** Every chain of value imports from `starts` that reaches @tensorflow/*. */
function tfjsChains(starts: string[]): string[] {
  const chains: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    // type-only imports vanish at build time: only value imports reach the bundle
    for (const spec of imports(file, { valuesOnly: true })) {
      if (spec.startsWith('@tensorflow/')) chains.push([...chain, relative(SRC, file), spec].join(' → '));
      // worker entry points are loaded with new Worker(new URL(...)), not imported
      const next = resolveImport(file, spec);
      if (next && !/\.worker\.ts$/.test(next)) visit(next, [...chain, relative(SRC, file)]);
    }
  };
  for (const f of starts) visit(f, []);
  return chains;
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
        .filter((i) => i.startsWith('@tensorflow/') || /(^|\/)core\/(probe|models\/(?!catalog$|backbones\/blocks$)|train|losses)/.test(i))
        .map((i) => `${relative(SRC, f)} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('nothing the UI imports, directly or through other modules, pulls in tfjs', () => {
    expect(tfjsChains([...files(join(SRC, 'ui')), join(SRC, 'main.tsx')])).toEqual([]);
  });

  it('the UI talks to workers only through the protocol file', () => {
    const offenders = files(join(SRC, 'ui')).flatMap((f) =>
      imports(f)
        .filter((i) => /\/worker\//.test(i) && !/\/worker\/protocol$/.test(i))
        .map((i) => `${relative(SRC, f)} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('src/core never imports src/accel: the speed-ups come in as options (step runner, optimizer) and hooks', () => {
    expect(importsInto(join(SRC, 'core'), join(SRC, 'accel'))).toEqual([]);
  });

  it("src/accel/entries.ts (the speed-ups' ids, backends, flags and status words) pulls in no tfjs", () => {
    expect(tfjsChains([join(SRC, 'accel', 'entries.ts')])).toEqual([]);
  });

  it('src/data never imports src/worker', () => {
    expect(importsInto(join(SRC, 'data'), join(SRC, 'worker'))).toEqual([]);
  });

  it('src/cli never imports bench/', () => {
    expect(importsInto(join(SRC, 'cli'), join(SRC, '..', 'bench'))).toEqual([]);
  });
});
