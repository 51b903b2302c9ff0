/** The datasets part of the studio store: the catalog list, imports and their progress. */
import type { StateCreator } from 'zustand';
import { listDatasets, renameDataset, type DatasetRecord } from '../../data/catalog';
import { deleteDataset } from '../../data/pixelStore';
import { isPngDecoderWay, type PngDecoderWay } from '../../data/pngDecoder';
import type { DemoOptions, FromIngestWorker, ToIngestWorker, ImportProgress, ImportRefusal, ImportSource, ImportSummary } from '../../worker/protocol';
import { basisFromCalibration, basisFromImport, loadRateBasis, saveRateBasis, type RateBasis } from '../datasets/importEstimate';
import { ingestWorker, type WorkerClient } from '../workerClient';
import { announce, claimDataset, describeHold, holdsElsewhere, type DatasetClaim } from '../../data/tabCoordination';

/** `?png-decoder=fast-png|inflate|image-decoder` on the page forces one PNG decoder (the ingest bench times each). */
function pngDecoderFromUrl(): PngDecoderWay | undefined {
  const v = typeof location !== 'undefined' ? new URLSearchParams(location.search).get('png-decoder') : null;
  return isPngDecoderWay(v) ? v : undefined;
}

/** `?zip-reads=zip.js` on the page: the bench's before, every zip entry through zip.js's getData */
function zipReadsFromUrl(): 'zip.js' | undefined {
  return typeof location !== 'undefined' && new URLSearchParams(location.search).get('zip-reads') === 'zip.js' ? 'zip.js' : undefined;
}

export interface StorageInfo {
  usage: number;
  quota: number;
  persisted: boolean;
}

export interface ImportState {
  label: string;
  progress: ImportProgress | null;
  cancelling: boolean;
}

export interface DatasetsSlice {
  datasets: DatasetRecord[];
  selectedDatasetId: string | null;
  importing: ImportState | null;
  lastSummary: ImportSummary | null;
  lastRefusal: ImportRefusal | null;
  importError: string | null;
  /** why the last delete did not happen (cleared by the next delete or import) */
  datasetError: string | null;
  storage: StorageInfo | null;
  /** the latest measured import rate in this browser (the full train.zip estimate's basis) */
  rateBasis: RateBasis | null;
  /** the decode pool is being timed on synthetic 512-px PNGs */
  calibrating: boolean;
  calibrationError: string | null;
  /** times the decode pool for the estimate (not while an import runs) */
  calibrate: (resolution: number) => void;
  refreshDatasets: () => Promise<void>;
  refreshStorage: () => Promise<void>;
  selectDataset: (id: string | null) => void;
  importSources: (sources: ImportSource[], opts: { resolution: number; datasetId?: string; limit?: number }) => void;
  importDemo: (demo: DemoOptions, opts: { resolution: number }) => void;
  cancelImport: () => void;
  renameDataset: (id: string, name: string) => Promise<void>;
  deleteDataset: (id: string) => Promise<void>;
}

let ingest: WorkerClient<ToIngestWorker, FromIngestWorker> | null = null;
/** the dataset the import in flight writes, held for this tab (src/data/tabCoordination.ts) */
let importClaim: DatasetClaim | null = null;
let importAnnounced = false;

export const createDatasetsSlice: StateCreator<DatasetsSlice, [], [], DatasetsSlice> = (set, get) => {
  const handle = (msg: FromIngestWorker) => {
    // an import's last word: the worker gets a second to close its storage handles, then goes
    if (msg.type === 'done' || msg.type === 'refused' || msg.type === 'error') {
      ingest?.stop(1000);
      void importClaim?.release().then(() => announce({ type: 'datasets' }));
      importClaim = null;
    }
    switch (msg.type) {
      case 'progress':
        set((s) => (s.importing ? { importing: { ...s.importing, progress: msg.progress } } : {}));
        // the dataset's record is written before its first sample: the other tabs list it from now on
        if (msg.progress.phase === 'importing' && !importAnnounced) {
          importAnnounced = true;
          announce({ type: 'datasets' });
        }
        break;
      case 'done': {
        const basis = basisFromImport(msg.summary, Date.now());
        if (basis) saveRateBasis(basis);
        set({ importing: null, lastSummary: msg.summary, selectedDatasetId: msg.summary.datasetId, ...(basis ? { rateBasis: basis } : {}) });
        void get().refreshDatasets();
        void get().refreshStorage();
        break;
      }
      case 'refused':
        set({ importing: null, lastRefusal: msg.refusal });
        void get().refreshDatasets();
        break;
      case 'error':
        set({ importing: null, importError: msg.message });
        void get().refreshDatasets();
        break;
    }
  };
  const begin = (label: string) => {
    ingest ??= ingestWorker();
    if (ingest.busy) return false;
    set({ importing: { label, progress: null, cancelling: false }, lastSummary: null, lastRefusal: null, importError: null, datasetError: null });
    // Ask once for persistent storage so the browser does not evict a 10 GB dataset under pressure.
    void navigator.storage?.persist?.().then(() => get().refreshStorage());
    return true;
  };
  /** Takes the import's dataset for this tab, then starts the worker; another tab's hold refuses the import with who holds it. */
  const startImport = (datasetId: string | undefined, post: (newDatasetId: string | undefined) => ToIngestWorker) => {
    const id = datasetId ?? crypto.randomUUID();
    importAnnounced = false;
    void claimDataset({ datasetId: id, kind: 'import' }).then(async (claim) => {
      if (!claim) {
        const hold = (await holdsElsewhere())[id];
        const name = get().datasets.find((d) => d.id === id)?.name ?? id;
        handle({
          type: 'refused',
          refusal: {
            message: `${hold ? describeHold(hold) : 'Another tab of this studio holds this dataset'}: dataset '${name}' takes imports in one tab at a time. Import again once that ends.`,
          },
        });
        return;
      }
      importClaim = claim;
      ingest!.start(handle, (message) => handle({ type: 'error', message }));
      ingest!.post(post(datasetId ? undefined : id));
    });
  };
  return {
    datasets: [],
    selectedDatasetId: null,
    importing: null,
    lastSummary: null,
    lastRefusal: null,
    importError: null,
    datasetError: null,
    storage: null,
    rateBasis: loadRateBasis(),
    calibrating: false,
    calibrationError: null,
    calibrate: (resolution) => {
      ingest ??= ingestWorker();
      if (ingest.busy || get().importing) return;
      set({ calibrating: true, calibrationError: null });
      const end = (patch: Partial<DatasetsSlice>) => {
        ingest?.stop();
        set({ calibrating: false, ...patch });
      };
      ingest.start(
        (msg) => {
          if (msg.type === 'calibrated') {
            const basis = basisFromCalibration(msg.calibration, Date.now());
            saveRateBasis(basis);
            end({ rateBasis: basis });
          } else if (msg.type === 'error' || msg.type === 'refused') end({ calibrationError: msg.type === 'error' ? msg.message : msg.refusal.message });
        },
        (message) => end({ calibrationError: message }),
      );
      ingest.post({ type: 'calibrate', resolution, pngDecoder: pngDecoderFromUrl() });
    },
    refreshDatasets: async () => {
      const [datasets, elsewhere] = await Promise.all([listDatasets(), holdsElsewhere()]);
      const importing = get().importing !== null;
      // A dataset left 'importing' with no import running, here or in another tab, was interrupted (tab closed or reloaded).
      for (const d of datasets) if (d.status === 'importing' && !importing && !elsewhere[d.id]) d.status = 'partial';
      const selected = get().selectedDatasetId;
      set({ datasets, selectedDatasetId: selected && datasets.some((d) => d.id === selected) ? selected : (datasets.at(-1)?.id ?? null) });
    },
    refreshStorage: async () => {
      if (!navigator.storage?.estimate) return;
      const [e, persisted] = await Promise.all([navigator.storage.estimate(), navigator.storage.persisted?.() ?? false]);
      set({ storage: { usage: e.usage ?? 0, quota: e.quota ?? 0, persisted } });
    },
    selectDataset: (id) => set({ selectedDatasetId: id }),
    importSources: (sources, opts) => {
      const label = sources.map((s) => (s.kind === 'file' ? s.file.name : `${s.name}/`)).join(' + ');
      if (!begin(label)) return;
      startImport(opts.datasetId, (newDatasetId) => ({
        type: 'import',
        request: { sources, ...opts, ...(newDatasetId ? { newDatasetId } : {}), pngDecoder: pngDecoderFromUrl(), zipReads: zipReadsFromUrl() },
      }));
    },
    importDemo: (demo, opts) => {
      if (!begin(`demo dataset (${demo.train} + ${demo.test} samples, ${demo.size} px)`)) return;
      startImport(undefined, (newDatasetId) => ({
        type: 'import-demo',
        demo,
        request: {
          ...opts,
          newDatasetId,
          pngDecoder: pngDecoderFromUrl(),
          name: `${demo.teaching ? 'Teaching demo' : 'Demo'} ${demo.size} px (seed ${demo.seed})`,
        },
      }));
    },
    cancelImport: () => {
      set((s) => (s.importing ? { importing: { ...s.importing, cancelling: true } } : {}));
      ingest?.postIfRunning({ type: 'cancel' });
    },
    renameDataset: async (id, name) => {
      await renameDataset(id, name);
      announce({ type: 'datasets' });
      await get().refreshDatasets();
    },
    deleteDataset: async (id) => {
      const ds = get().datasets.find((d) => d.id === id);
      if (!ds) return;
      set({ datasetError: null });
      const hold = (await holdsElsewhere())[id];
      if (hold) {
        set({ datasetError: `${describeHold(hold)}: dataset '${ds.name}' cannot be deleted until that ends. Nothing was deleted.` });
        return;
      }
      try {
        await deleteDataset(ds);
      } catch (e) {
        set({ datasetError: (e as Error).message });
      }
      announce({ type: 'datasets' });
      await get().refreshDatasets();
      await get().refreshStorage();
    },
  };
};
