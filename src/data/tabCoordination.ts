/**
 * The studio opened in several tabs of one browser: they share the catalog (IndexedDB) and the
 * pixels (OPFS), so one tab at a time owns the imports and the training of a dataset, and every
 * tab hears when another changes the lists.
 *
 * Ownership is a Web Lock per dataset (`hpa-studio/dataset/<id>`), taken with `ifAvailable` so a
 * second tab is told at once instead of queueing. Beside it the owner holds a shared lock whose
 * name carries what it is doing (`hpa-studio/hold/{json}`): `navigator.locks.query()` then tells
 * any tab who holds what, with nothing stored that a closed or crashed tab could leave behind (the
 * browser releases a tab's locks when it goes). Changes are announced on the BroadcastChannel
 * 'hpa-studio'; a tab that hears one reads the lists again from IndexedDB.
 */

export type HoldKind = 'import' | 'training';

/** What a tab is doing with a dataset it holds. */
export interface DatasetHold {
  datasetId: string;
  kind: HoldKind;
  /** the run being trained (kind 'training') */
  runId?: string;
  runName?: string;
  /** epoch ms */
  startedAt: number;
  /** the holding tab (THIS_TAB in the tab that holds it) */
  tab: string;
}

/** A held dataset: release() gives it back (idempotent); its promise resolves once another tab could take it. */
export interface DatasetClaim {
  hold: DatasetHold;
  release(): Promise<void>;
}

export type StudioChange = { type: 'datasets' } | { type: 'runs' } | { type: 'holds' };

export const CHANNEL_NAME = 'hpa-studio';
const DATASET_LOCK = 'hpa-studio/dataset/';
const HOLD_LOCK = 'hpa-studio/hold/';

/** This tab's id (each page load is a new one). */
export const THIS_TAB: string = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : String(Math.random()).slice(2);

const locks = (): LockManager | null => (typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null);

let channel: BroadcastChannel | null = null;
const openChannel = () => (channel ??= typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(CHANNEL_NAME) : null);

/** Tells the studio's other tabs that something they list changed. */
export function announce(change: StudioChange): void {
  openChannel()?.postMessage(change);
}

/** Calls `listener` for every change another tab announces; returns the unsubscribe. */
export function onStudioChange(listener: (change: StudioChange) => void): () => void {
  const ch = openChannel();
  if (!ch) return () => undefined;
  const handler = (e: MessageEvent<StudioChange>) => listener(e.data);
  ch.addEventListener('message', handler);
  return () => ch.removeEventListener('message', handler);
}

/** This tab's locks on one dataset, shared by its claims (an import of test images while this tab trains on the dataset). */
interface Held {
  hold: DatasetHold;
  claims: number;
  free: () => void;
  /** resolves once the locks are released */
  gone: Promise<void>;
}
const mine = new Map<string, Promise<Held | null>>();
const going = new Map<string, Promise<void>>();

async function takeLocks(what: Omit<DatasetHold, 'tab' | 'startedAt'>): Promise<Held | null> {
  await going.get(what.datasetId); // this tab's last claim on it is still letting go
  const hold: DatasetHold = { ...what, startedAt: Date.now(), tab: THIS_TAB };
  let free!: () => void;
  const freed = new Promise<void>((r) => (free = r));
  const lm = locks();
  if (!lm) return { hold, claims: 0, free, gone: freed };
  return new Promise((resolve, reject) => {
    let granted = false;
    const gone: Promise<void> = lm
      .request(DATASET_LOCK + what.datasetId, { ifAvailable: true }, async (lock) => {
        if (!lock) return;
        granted = true;
        await lm.request(HOLD_LOCK + JSON.stringify(hold), { mode: 'shared' }, async () => {
          resolve({ hold, claims: 0, free, gone });
          announce({ type: 'holds' });
          await freed;
        });
      })
      .then(() => {
        if (granted) announce({ type: 'holds' });
        else resolve(null);
      }, reject);
  });
}

/**
 * Takes `datasetId` for this tab, or resolves null at once when another tab holds it (then
 * `holdsElsewhere()` says who). Claims of one tab share its locks: the dataset is released when
 * the last of them is. Where the browser has no Web Locks every claim succeeds (one tab's behaviour).
 */
export async function claimDataset(what: Omit<DatasetHold, 'tab' | 'startedAt'>): Promise<DatasetClaim | null> {
  const id = what.datasetId;
  let entry = mine.get(id);
  if (!entry) mine.set(id, (entry = takeLocks(what)));
  const held = await entry;
  if (!held) {
    if (mine.get(id) === entry) mine.delete(id);
    return null;
  }
  if (mine.get(id) !== entry) return claimDataset(what); // released while this claim waited
  held.claims++;
  let released = false;
  return {
    hold: held.hold,
    release: () => {
      if (!released && --held.claims === 0) {
        mine.delete(id);
        going.set(id, held.gone);
        held.free();
      }
      released = true;
      return held.gone;
    },
  };
}

/** Every dataset held by any tab of this studio now (this one's too: compare `tab` with THIS_TAB). */
export async function datasetHolds(): Promise<DatasetHold[]> {
  const lm = locks();
  if (!lm) return [];
  const { held = [] } = await lm.query();
  const holds: DatasetHold[] = [];
  for (const l of held) {
    if (!l.name?.startsWith(HOLD_LOCK)) continue;
    try {
      holds.push(JSON.parse(l.name.slice(HOLD_LOCK.length)) as DatasetHold);
    } catch {
      // another version's lock: not ours to read
    }
  }
  return holds;
}

/** The holds of the other tabs, by dataset. */
export async function holdsElsewhere(): Promise<Record<string, DatasetHold>> {
  const out: Record<string, DatasetHold> = {};
  for (const h of await datasetHolds()) if (h.tab !== THIS_TAB) out[h.datasetId] = h;
  return out;
}

const clock = (ms: number) => new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });

/** "Training in another tab of this studio (run 'run 1', started 10:42)" */
export function describeHold(h: DatasetHold): string {
  return h.kind === 'training'
    ? `Training in another tab of this studio (run '${h.runName ?? h.runId ?? '?'}', started ${clock(h.startedAt)})`
    : `Importing in another tab of this studio (started ${clock(h.startedAt)})`;
}
