/** A labelled number input: the form's one kind of number field. */
export function NumberField({
  label,
  value,
  min,
  max,
  step,
  width = 80,
  onChange,
}: {
  label: string;
  value: number;
  min?: number;
  max?: number;
  step?: number;
  width?: number;
  onChange: (v: number) => void;
}) {
  return (
    <label>
      {label}{' '}
      <input
        aria-label={label}
        type="number"
        value={value}
        min={min}
        max={max}
        step={step ?? 1}
        onChange={(e) => onChange(Number(e.target.value))}
        style={{ width }}
      />
    </label>
  );
}
