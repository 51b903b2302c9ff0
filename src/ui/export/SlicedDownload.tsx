import { useEffect, useRef, useState, type ReactNode } from 'react';
import { textInSlices } from '../textInSlices';
import { downloadUrl } from '../store/exportSlice';

/**
 * A download whose text is made when it is pressed, in slices of the main thread's time
 * (textInSlices), with its progress shown. For files that are rarely wanted and large: built at
 * once with the view, the test split's probabilities (11,702 rows × 28) were one main-thread task
 * of 0.4–2.2 s each time the prediction was shown (docs/full-scale.md).
 */
export function SlicedDownload({
  lines,
  total,
  fileName,
  testId,
  children,
}: {
  /** the file's lines without their ends, made lazily */
  lines: () => Iterator<string>;
  /** how many lines, for the progress */
  total: number;
  fileName: string;
  testId?: string;
  children: ReactNode;
}) {
  const [done, setDone] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);
  const start = async () => {
    if (abort.current) return;
    const controller = new AbortController();
    abort.current = controller;
    setDone(0);
    setError(null);
    try {
      const parts = await textInSlices(lines(), { signal: controller.signal, onProgress: setDone });
      const url = URL.createObjectURL(new Blob(parts, { type: 'text/csv' }));
      downloadUrl(url, fileName);
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      if (!controller.signal.aborted) setError(`Could not make ${fileName}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      abort.current = null;
      setDone(null);
    }
  };
  return (
    <>
      <button type="button" className="download link-button" onClick={() => void start()} disabled={done !== null} data-testid={testId}>
        {children}
      </button>
      {done !== null && (
        <span className="hint" role="status">
          {' '}
          making: {Math.round((100 * done) / Math.max(1, total))} %{' '}
          <button type="button" onClick={() => abort.current?.abort()}>
            Cancel
          </button>
        </span>
      )}
      {error && (
        <span className="warn" role="alert">
          {' '}
          {error}
        </span>
      )}
    </>
  );
}
