/**
 * The consistency check at start: after a tab was killed mid-write (closed, crashed, out of
 * memory), the catalog, the pixel store and the checkpoints are checked against each other and
 * repaired where they disagree. It runs in its own worker (src/worker/consistency.worker.ts), so
 * the page never waits on it, and reports each repair in words for the page's notice; when all is
 * well it reports nothing.
 *
 * The writers order their writes so that any kill leaves a state this check can repair: pixels are
 * flushed before the samples that point at them are committed, a batch of samples and its dataset's
 * counts share one transaction (ingest.ts), a checkpoint and the run record that points at it share
 * one (runTraining.ts). What the check repairs is what a kill can still leave:
 * - a dataset left 'importing' becomes 'partial' (its Resume… button imports the rest);
 * - a sample whose slot lies beyond the stored pixel bytes, or that shares its slot with another,
 *   is dropped (it is imported again on resume), and the dataset is marked partial;
 * - the dataset's train/test counts are recounted from its samples; its next free slot is raised
 *   past every slot in use (a resumed import must never write over a stored sample);
 * - a run left 'running' or 'paused' becomes 'interrupted', resumable from its last complete
 *   checkpoint; a checkpoint whose bytes are shorter than its header says is dropped, and the
 *   run falls back to the complete one ('best' becomes 'last') or to none;
 * - a set of pretrained weights without its values (or values without their record) is dropped.
 *
 * The decisions (plan…) are pure functions of plain data, unit-tested; checkConsistency gathers
 * the facts from the real stores and applies the plans, each in one transaction.
 */
import { readCheckpointHeader, type CheckpointHeader } from '../core/train/checkpointHeader';
import { openCatalog, type DatasetRecord, type RunRecord, type SampleRecord } from './catalog';
import { sampleBytes, slotsPerChunk, storedChunkBytes } from './pixelStore';
import { datasetHolds } from './tabCoordination';

export interface ConsistencyReport {
  /** one sentence per repair ("dataset 'demo' marked partial (412 samples kept)"); empty when all was well */
  repairs: string[];
}

// ── Datasets ─────────────────────────────────────────────────────────────────────────────

export interface DatasetFacts {
  record: DatasetRecord;
  samples: Pick<SampleRecord, 'id' | 'split' | 'slot'>[];
  /** stored bytes of each pixel chunk (chunk index → bytes); a chunk absent here is not stored */
  chunkBytes: ReadonlyMap<number, number>;
}

export interface DatasetRepair {
  record: DatasetRecord;
  /** ids of samples to delete from the catalog */
  drop: string[];
  repairs: string[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What to change in one dataset's catalog entries, or null when they agree with its pixels. */
export function planDatasetRepair(f: DatasetFacts): DatasetRepair | null {
  const { record } = f;
  const per = slotsPerChunk(record.storage, record.resolution);
  const bytes = sampleBytes(record.resolution);
  const isStored = (slot: number) => Number.isInteger(slot) && slot >= 0 && (f.chunkBytes.get(Math.floor(slot / per)) ?? 0) >= ((slot % per) + 1) * bytes;
  const bySlot = new Map<number, number>();
  for (const s of f.samples) bySlot.set(s.slot, (bySlot.get(s.slot) ?? 0) + 1);
  const unstored = f.samples.filter((s) => !isStored(s.slot));
  const shared = f.samples.filter((s) => isStored(s.slot) && bySlot.get(s.slot)! > 1);
  const dropped = new Set([...unstored, ...shared].map((s) => s.id));
  const kept = f.samples.filter((s) => !dropped.has(s.id));
  const train = kept.filter((s) => s.split === 'train').length;
  const test = kept.length - train;
  const maxSlot = f.samples.reduce((m, s) => (Number.isInteger(s.slot) ? Math.max(m, s.slot) : m), -1);
  const nextSlot = Math.max(record.nextSlot, maxSlot + 1);
  const status = record.status === 'importing' || dropped.size ? 'partial' : record.status;

  const name = `dataset '${record.name}'`;
  const repairs: string[] = [];
  if (status !== record.status) repairs.push(`${name} marked partial (${plural(kept.length, 'sample')} kept; Resume… imports the rest)`);
  if (unstored.length) repairs.push(`${name}: ${plural(unstored.length, 'sample')} whose pixels were never stored dropped from the catalog`);
  if (shared.length) repairs.push(`${name}: ${plural(shared.length, 'sample')} sharing pixel slots dropped from the catalog`);
  if (train !== record.train || test !== record.test)
    repairs.push(`${name}: counts corrected from ${record.train} train · ${record.test} test to ${train} train · ${test} test`);
  if (nextSlot !== record.nextSlot) repairs.push(`${name}: next free pixel slot raised from ${record.nextSlot} to ${nextSlot}`);
  if (!repairs.length) return null;
  return { record: { ...record, status, train, test, nextSlot }, drop: [...dropped], repairs };
}

// ── Runs and checkpoints ─────────────────────────────────────────────────────────────────

/** A stored checkpoint's header (or why it is unreadable); null where none is stored. */
export type CheckpointFacts = CheckpointHeader | { error: string } | null;

export interface RunFacts {
  record: RunRecord;
  last: CheckpointFacts;
  best: CheckpointFacts;
}

export interface RunRepair {
  record: RunRecord;
  /** checkpoints to delete */
  drop: ('best' | 'last')[];
  /** the complete 'best' checkpoint is stored as 'last' too (the 'last' one was half-written) */
  lastFromBest: boolean;
  repairs: string[];
}

const complete = (c: CheckpointFacts): c is CheckpointHeader => c !== null && !('error' in c) && c.storedBytes === c.expectedBytes;
const describeBroken = (c: CheckpointFacts) =>
  c === null ? '' : 'error' in c ? c.error : `epoch ${c.epoch}: ${c.storedBytes} of ${c.expectedBytes} bytes stored`;

/** Whether a run was left mid-training by a page that went away: only those can hold a half-written state. */
export const leftRunning = (r: RunRecord) => r.status === 'running' || r.status === 'paused';

/** What to change for a run a killed page left 'running' or 'paused', or null for any other run. */
export function planRunRepair(f: RunFacts): RunRepair | null {
  const { record } = f;
  if (!leftRunning(record)) return null;
  const drop: ('best' | 'last')[] = [];
  const repairs: string[] = [];
  const name = `run '${record.name}'`;
  const lastOk = complete(f.last);
  const bestOk = complete(f.best);
  if (f.last && !lastOk) {
    drop.push('last');
    repairs.push(`${name}: its half-written checkpoint (${describeBroken(f.last)}) dropped`);
  }
  if (f.best && !bestOk) {
    drop.push('best');
    repairs.push(`${name}: its half-written best checkpoint (${describeBroken(f.best)}) dropped`);
  }
  const lastFromBest = !lastOk && bestOk;
  const resume = lastOk ? (f.last as CheckpointHeader) : bestOk ? (f.best as CheckpointHeader) : null;
  const epoch = resume?.epoch ?? 0;
  // the run's history is that of the checkpoint it resumes from (a resumed run appends to it)
  const history = resume && record.history.length !== resume.history.length ? (resume.history as unknown as Record<string, unknown>[]) : record.history;
  const bestEpoch = bestOk ? (f.best as CheckpointHeader).epoch : f.best ? null : record.bestEpoch;
  repairs.push(resume ? `${name} stopped at its checkpoint of epoch ${epoch} (resumable)` : `${name} stopped (no checkpoint was stored)`);
  // the notice says what happened; the run's row reads 'interrupted' with its Resume button, as for any reload
  return { record: { ...record, status: 'interrupted', message: null, checkpointEpoch: epoch, bestEpoch, history }, drop, lastFromBest, repairs };
}

// ── Pretrained weights ───────────────────────────────────────────────────────────────────

export interface WeightsRepair {
  dropRecords: string[];
  dropData: string[];
  repairs: string[];
}

/** Weights records without stored values and values without a record are dropped (each pair is written in one transaction). */
export function planWeightsRepair(records: { id: string; fileName: string }[], dataIds: string[]): WeightsRepair | null {
  const data = new Set(dataIds);
  const ids = new Set(records.map((r) => r.id));
  const lacking = records.filter((r) => !data.has(r.id));
  const orphans = dataIds.filter((id) => !ids.has(id));
  if (!lacking.length && !orphans.length) return null;
  return {
    dropRecords: lacking.map((r) => r.id),
    dropData: orphans,
    repairs: [
      ...lacking.map((r) => `pretrained weights '${r.fileName}' dropped: their values were not stored (add the file again)`),
      ...(orphans.length ? [`${plural(orphans.length, 'set')} of stored weight values without a record dropped`] : []),
    ],
  };
}

// ── Gathering and applying ───────────────────────────────────────────────────────────────

/** Checks every dataset, every run a killed page left running and the stored weights; repairs what disagrees. */
export async function checkConsistency(): Promise<ConsistencyReport> {
  const db = await openCatalog();
  const repairs: string[] = [];
  // A dataset another open tab holds (importing into it, training on it) is live, not left behind by a killed page.
  const held = new Set((await datasetHolds()).map((h) => h.datasetId));

  for (const record of await db.getAll('datasets')) {
    if (held.has(record.id)) continue;
    const samples = await db.getAllFromIndex('samples', 'byDataset', record.id);
    const plan = planDatasetRepair({ record, samples, chunkBytes: await storedChunkBytes(record) });
    if (!plan) continue;
    const tx = db.transaction(['datasets', 'samples'], 'readwrite');
    const store = tx.objectStore('samples');
    for (const id of plan.drop) void store.delete([record.id, id]);
    void tx.objectStore('datasets').put(plan.record);
    await tx.done;
    repairs.push(...plan.repairs);
  }

  for (const record of (await db.getAll('runs')).filter((r) => leftRunning(r) && !held.has(r.datasetId))) {
    const header = async (kind: 'best' | 'last'): Promise<CheckpointFacts> => {
      const stored = await db.get('checkpoints', [record.id, kind]);
      return stored ? readCheckpointHeader(stored.data) : null;
    };
    const plan = planRunRepair({ record, last: await header('last'), best: await header('best') });
    if (!plan) continue;
    const tx = db.transaction(['runs', 'checkpoints'], 'readwrite');
    const checkpoints = tx.objectStore('checkpoints');
    if (plan.lastFromBest) {
      const best = await checkpoints.get([record.id, 'best']);
      if (best) await checkpoints.put({ ...best, kind: 'last' });
    }
    for (const kind of plan.drop) if (!(kind === 'last' && plan.lastFromBest)) await checkpoints.delete([record.id, kind]); // a copied 'last' stays
    await tx.objectStore('runs').put(plan.record);
    await tx.done;
    repairs.push(...plan.repairs);
  }

  const weights = planWeightsRepair(await db.getAll('weights'), await db.getAllKeys('weightData'));
  if (weights) {
    const tx = db.transaction(['weights', 'weightData'], 'readwrite');
    for (const id of weights.dropRecords) void tx.objectStore('weights').delete(id);
    for (const id of weights.dropData) void tx.objectStore('weightData').delete(id);
    await tx.done;
    repairs.push(...weights.repairs);
  }
  return { repairs };
}
