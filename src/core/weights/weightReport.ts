/**
 * What loading a weights file into a model did or would do (matchWeights.ts builds it). tfjs-free,
 * so the page can show it and the weights store can keep it.
 */
export interface WeightReport {
  /** model tensors that get a file tensor */
  loaded: number;
  /** model tensors (layer/weight) with no file tensor; the studio's hpa_* layers are not listed */
  missing: string[];
  /** file tensors (layer/weight) the model has no place for */
  unexpected: string[];
  mismatched: { name: string; fileShape: number[]; modelShape: number[] }[];
  /** tensors loaded after adapting (the first conv's kernel widened from 3 to 4 input channels) */
  widened: string[];
  notes: string[];
}

/** Whether every tensor of the file found its place and every backbone tensor got one. */
export function isCleanReport(r: WeightReport): boolean {
  return !r.missing.length && !r.unexpected.length && !r.mismatched.length;
}

/** The report as text, one line per problem (the CLI prints it; logs keep it). */
export function formatWeightReport(r: WeightReport): string {
  const lines = [`loaded ${r.loaded} tensors; ${r.missing.length} missing, ${r.unexpected.length} unexpected, ${r.mismatched.length} shape mismatches`];
  for (const n of r.notes) lines.push(`  note: ${n}`);
  for (const m of r.mismatched) lines.push(`  shape mismatch: ${m.name}: file [${m.fileShape.join(', ')}], model [${m.modelShape.join(', ')}]`);
  for (const n of r.missing) lines.push(`  missing (model tensor not in the file): ${n}`);
  for (const n of r.unexpected) lines.push(`  unexpected (file tensor the model lacks): ${n}`);
  return lines.join('\n');
}
