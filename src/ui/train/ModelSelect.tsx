import { MODELS } from '../../core/models/catalog';

const GROUPS = [
  { family: 'gapnet', label: 'GAPNet (trained from scratch)' },
  { family: 'transfer', label: 'Pretrained backbones (transfer)' },
] as const;

/** A menu of the catalogued models, grouped by family, labelled (its label is also its accessible name); `families` limits it. */
export function ModelSelect({
  label,
  value,
  onChange,
  families = ['gapnet', 'transfer'],
}: {
  label: string;
  value: string;
  onChange: (model: string) => void;
  families?: readonly ('gapnet' | 'transfer')[];
}) {
  return (
    <label>
      {label}{' '}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        {GROUPS.filter((g) => families.includes(g.family)).map((g) => (
          <optgroup key={g.family} label={g.label}>
            {MODELS.filter((m) => m.family === g.family).map((m) => (
              <option key={m.name} value={m.name}>
                {m.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </label>
  );
}
