import { memo } from 'react';
import { formatDuration } from '../../core/lesson/progress';
import type { LessonRecord } from '../../core/lesson/types';
import { lessonVariant } from '../../core/lesson/variants';

/** The lesson's own runs (the Runs table leaves them out unless asked): variant, seed, where each stands. */
export const LessonRuns = memo(function LessonRuns({ runs }: { runs: LessonRecord['runs'] }) {
  return (
    <details className="lesson-more">
      <summary>The lesson's runs ({runs.length})</summary>
      <table className="lesson-table" data-testid="lesson-runs">
        <thead>
          <tr>
            <th>Variant</th>
            <th>Seed</th>
            <th>Status</th>
            <th>Epochs</th>
            <th>Time</th>
            <th>Backend</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.runId} data-testid="lesson-run-row">
              <td>{lessonVariant(r.variant).label}</td>
              <td className="num">{r.seed}</td>
              <td>
                {r.status}
                {r.message ? ` (${r.message})` : ''}
              </td>
              <td className="num">
                {r.epochsDone}/{r.totalEpochs}
              </td>
              <td className="num">{r.seconds === null ? '–' : formatDuration(r.seconds)}</td>
              <td>{r.backend ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
});
