import type { ReactNode } from 'react';
import { useBlobUrl } from './useBlobUrl';

/** A download link for content made on the page (CSV text, a zip's bytes). */
export function DownloadLink({
  content,
  fileName,
  type = 'text/csv',
  testId,
  children,
}: {
  content: string | Uint8Array | null;
  fileName: string;
  type?: string;
  testId?: string;
  children: ReactNode;
}) {
  const url = useBlobUrl(content, type);
  if (!url) return null;
  return (
    <a className="download" href={url} download={fileName} data-testid={testId}>
      {children}
    </a>
  );
}
