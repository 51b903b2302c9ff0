/**
 * Run names are unique: the runs list, the comparison's columns and the lesson's results tell runs
 * apart by name. A name already taken gets the first free " #2", " #3", … suffix.
 */
export function uniqueRunName(name: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(name)) return name;
  for (let k = 2; ; k++) if (!used.has(`${name} #${k}`)) return `${name} #${k}`;
}

/** The counter of the next user run: one more than the highest "run N · …" so far (deleting a run frees no number). */
export function nextRunNumber(names: Iterable<string>): number {
  let max = 0;
  for (const n of names) {
    const m = /^run (\d+) · /.exec(n);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}
