import { PREPROCESSING, backboneBlockCount, blockNames, isTransferModel } from '../../core/models/backbones/blocks';
import { DEFAULT_TRANSFER, type RunConfig, type TransferSettings as Settings } from '../../core/runConfig';
import { isCleanReport } from '../../core/weights/weightReport';
import { NumberField } from '../NumberField';
import { useStudio } from '../store';
import { WeightsPanel } from '../weights/WeightsPanel';

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * A transfer model's settings: how the four channels meet the backbone, the head, the weights it
 * starts from, and the schedule (warm-up with the backbone frozen, then all or the last N blocks).
 */
export function TransferSettings({ setup, set }: { setup: RunConfig; set: (patch: Partial<RunConfig>) => void }) {
  const weights = useStudio((s) => s.weights);
  const t = setup.transfer ?? DEFAULT_TRANSFER;
  const put = (patch: Partial<Settings>) => set({ transfer: { ...t, ...patch } });
  const blocks = backboneBlockCount(setup.model);
  const names = blockNames(setup.model);
  const forBackbone = weights.filter((w) => w.backbone === setup.model);
  const chosen = forBackbone.find((w) => w.id === t.weights);
  const lastBlocks = t.unfreeze === 'all' ? null : t.unfreeze.lastBlocks;
  const unfrozenNames = lastBlocks ? names.slice(Math.max(0, names.length - lastBlocks)) : [];
  return (
    <div className="transfer-settings" data-testid="transfer-settings">
      <div className="setup-row">
        <label>
          Four channels{' '}
          <select aria-label="Four channels" value={t.channels} onChange={(e) => put({ channels: e.target.value as Settings['channels'] })}>
            <option value="widen">first conv widened (yellow starts as red)</option>
            <option value="rgb">RGB only (yellow dropped)</option>
            <option value="adapter">learned 1×1 adapter 4→3</option>
          </select>
        </label>
        <label>
          Head{' '}
          <select aria-label="Head" value={t.head} onChange={(e) => put({ head: e.target.value as Settings['head'] })}>
            <option value="seed">the seed's (BN → conv 32 → dense 1024)</option>
            <option value="gap">global average pooling (light)</option>
          </select>
        </label>
        <label>
          Start from{' '}
          <select aria-label="Start from" value={chosen ? chosen.id : ''} onChange={(e) => put({ weights: e.target.value || null })}>
            <option value="">random weights (no pretraining)</option>
            {forBackbone.map((w) => (
              <option key={w.id} value={w.id}>
                {w.fileName} ({megabytes(w.bytes)})
              </option>
            ))}
          </select>
        </label>
      </div>
      {t.weights && !chosen && weights.length > 0 && (
        <p className="setup-problem" role="alert">
          The weights this recipe names are no longer stored: the run would start from random weights. Choose stored weights or drop the file again.
        </p>
      )}
      {chosen?.report && !isCleanReport(chosen.report) && (
        <p className="hint">
          {chosen.fileName}: {chosen.report.loaded} tensors load; {chosen.report.missing.length + chosen.report.mismatched.length} stay random (see the check
          under Pretrained weights).
        </p>
      )}
      <div className="setup-row">
        <NumberField label="Warm-up epochs (backbone frozen)" value={t.warmupEpochs} min={0} onChange={(warmupEpochs) => put({ warmupEpochs })} />
        <NumberField label="Warm-up learning rate" value={t.warmupLr} step={0.0001} onChange={(warmupLr) => put({ warmupLr })} />
        <label>
          Then train{' '}
          <select
            aria-label="Then train"
            value={lastBlocks === null ? 'all' : 'last'}
            onChange={(e) => put({ unfreeze: e.target.value === 'all' ? 'all' : { lastBlocks: Math.min(2, blocks) } })}
          >
            <option value="all">every layer</option>
            <option value="last">the head and the last blocks</option>
          </select>
        </label>
        {lastBlocks !== null && (
          <NumberField label={`Blocks (of ${blocks})`} value={lastBlocks} min={1} max={blocks} onChange={(n) => put({ unfreeze: { lastBlocks: n } })} />
        )}
      </div>
      <p className="hint" data-testid="transfer-summary">
        Preprocessing:{' '}
        {isTransferModel(setup.model) && PREPROCESSING[setup.model] === 'caffe' ? 'ImageNet “caffe” (BGR, minus the ImageNet means)' : 'scaled to [−1, 1]'}.{' '}
        {t.warmupEpochs > 0
          ? `${t.warmupEpochs} epoch${t.warmupEpochs === 1 ? '' : 's'} train the head with the backbone frozen (BatchNorm in inference mode), then `
          : ''}
        {setup.epochs} epoch{setup.epochs === 1 ? '' : 's'} train {lastBlocks === null ? 'every layer' : `the head and ${unfrozenNames.join(', ')}`} at the
        learning rate below.
      </p>
      <WeightsPanel backbone={setup.model} />
    </div>
  );
}
