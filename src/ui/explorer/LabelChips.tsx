import { CLASS_COLORS, CLASS_TEXT_COLORS, className } from '../../core/labels';

/** Coloured chips for a sample's labels: compact (class id, name on hover; hidden from screen readers, which read the cell's own name) or with full class names. */
export function LabelChips({ labels, compact = false }: { labels: readonly number[]; compact?: boolean }) {
  if (!labels.length)
    return (
      <span className="label-chips label-chips-none" aria-hidden={compact || undefined}>
        {compact ? 'no labels' : 'No labels (unlabelled test sample)'}
      </span>
    );
  return (
    <span className={compact ? 'label-chips compact' : 'label-chips'} data-testid="label-chips" aria-hidden={compact || undefined}>
      {labels.map((c) => (
        <span
          key={c}
          className="label-chip"
          data-class={c}
          style={{ background: CLASS_COLORS[c], color: CLASS_TEXT_COLORS[c] }}
          title={`${c} · ${className(c)}`}
        >
          {compact ? c : `${c} · ${className(c)}`}
        </span>
      ))}
    </span>
  );
}
