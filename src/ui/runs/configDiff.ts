/**
 * The config keys on which runs differ. Nested plain objects are flattened to dotted keys
 * ('loss.gamma'); arrays and other values are leaves compared by value (object keys in any order).
 * A key missing from a run reads as undefined there (shown '—'), so it differs from any value.
 */

export interface DiffRow {
  key: string;
  /** one display string per run, in the order given */
  values: string[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** Leaves of a config as [dotted key, value], in key order of first appearance. */
export function flattenConfig(config: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(config).flatMap(([k, v]): [string, unknown][] =>
    isPlainObject(v) && Object.keys(v).length ? flattenConfig(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]],
  );
}

/** A canonical string of a value: JSON with object keys sorted (so {a,b} equals {b,a}). */
function canonical(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isPlainObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? String(v);
}

/** How a value shows in the diff table. */
export function displayValue(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  return canonical(v);
}

/** Rows for the keys whose values are not all equal across the configs (none for fewer than two). */
export function configDiff(configs: readonly Record<string, unknown>[]): DiffRow[] {
  if (configs.length < 2) return [];
  const flat = configs.map((c) => new Map(flattenConfig(c)));
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const m of flat)
    for (const k of m.keys())
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
  return keys.filter((k) => new Set(flat.map((m) => canonical(m.get(k)))).size > 1).map((k) => ({ key: k, values: flat.map((m) => displayValue(m.get(k))) }));
}
