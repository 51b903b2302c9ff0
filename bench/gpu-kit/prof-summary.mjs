// Summarises V8 CPU profiles (node --cpu-prof) for the GPU kit as text small enough to read back:
// self time per function (the engine's own buckets included: garbage collector, program, idle), then
// inclusive time (the function and what it called). Functions are named file:line:column (the bundle
// is minified with names kept).
//   ./node prof-summary.mjs PROFILE.cpuprofile [...] [--top 40]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 40;
for (const file of args) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (f) => `${f.functionName || '(anonymous)'}${f.url ? ` ${f.url.split('/').pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}` : ''}`;
  const self = new Map();
  const incl = new Map();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    self.set(name(byId.get(id).callFrame), (self.get(name(byId.get(id).callFrame)) ?? 0) + dt);
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const k = name(byId.get(n).callFrame);
      if (!seen.has(k)) {
        seen.add(k);
        incl.set(k, (incl.get(k) ?? 0) + dt);
      }
    }
  });
  const show = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .forEach(([k, ms]) => console.log(`${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${k}`));
  console.log(`== ${file}: ${(total / 1000).toFixed(2)} s sampled, ${p.samples.length} samples; self time:`);
  show(self);
  console.log('-- inclusive time:');
  show(incl);
}
