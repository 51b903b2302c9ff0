import { MODELS } from '../../core/models/catalog';

/** A menu of the catalogued models, labelled (its label is also its accessible name). */
export function ModelSelect({ label, value, onChange }: { label: string; value: string; onChange: (model: string) => void }) {
  return (
    <label>
      {label}{' '}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        {MODELS.map((m) => (
          <option key={m.name} value={m.name}>
            {m.label}
          </option>
        ))}
      </select>
    </label>
  );
}
