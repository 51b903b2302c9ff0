import { useState } from 'react';

export type Cell = string | number | null;

const show = (v: Cell, digits: number) =>
  v === null || (typeof v === 'number' && Number.isNaN(v)) ? '–' : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(digits) : String(v);

/**
 * A chart's numbers as a table: the text alternative a screen reader (or a user who wants the
 * values) reads instead of the picture. Closed by default; the rows are built only when opened,
 * so a long loss curve costs nothing until someone asks for it.
 */
export function ChartData({ title, columns, rows, digits = 4 }: { title: string; columns: string[]; rows: () => Cell[][]; digits?: number }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="chart-data" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>Numbers: {title}</summary>
      {open && (
        <div className="chart-data-scroll">
          <table>
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows().map((r, i) => (
                <tr key={i}>
                  {r.map((v, j) => (
                    <td key={j}>{show(v, digits)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
