import { useState } from 'react';
import { useStudio } from '../store';

/**
 * With a K-fold split, the run setup's second way to train: the chosen folds of the split (all by
 * default), one after another with this recipe and seed, as one group.
 */
export function FoldGroupSetup({ dataset, disabled }: { dataset: { id: string; name: string } | undefined; disabled: boolean }) {
  const split = useStudio((s) => s.setup.split);
  const startFoldGroup = useStudio((s) => s.startFoldGroup);
  const K = split.kind === 'kfold' ? split.folds : 0;
  // the folds left out (so a new K starts with all of them ticked)
  const [off, setOff] = useState<ReadonlySet<number>>(new Set());
  if (split.kind !== 'kfold' || !Number.isInteger(K) || K < 2) return null;
  const chosen = Array.from({ length: K }, (_, f) => f).filter((f) => !off.has(f));
  const toggle = (f: number, on: boolean) =>
    setOff((s) => {
      const next = new Set(s);
      if (on) next.delete(f);
      else next.add(f);
      return next;
    });
  return (
    <div className="setup-row fold-group-setup" role="group" aria-label="Train the folds as a group">
      <span>Folds to train as one group:</span>
      {Array.from({ length: K }, (_, f) => (
        <label key={f}>
          <input type="checkbox" checked={!off.has(f)} onChange={(e) => toggle(f, e.target.checked)} aria-label={`Fold ${f} in the group`} /> {f}
        </label>
      ))}
      <button
        data-testid="train-group"
        disabled={disabled || !dataset || chosen.length === 0}
        onClick={() => dataset && startFoldGroup(dataset, chosen)}
        title="Trains the ticked folds one after another with this recipe and seed; their out-of-fold predictions are evaluated together"
      >
        {chosen.length === K ? `Train all ${K} folds as a group` : `Train ${chosen.length} of ${K} folds as a group`}
      </button>
    </div>
  );
}
