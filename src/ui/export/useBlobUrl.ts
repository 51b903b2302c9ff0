import { useEffect, useState } from 'react';

/** An object URL for text or bytes, revoked when the content changes or the view goes. */
export function useBlobUrl(content: string | Uint8Array | null, type: string): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (content === null) {
      setUrl(null);
      return;
    }
    const u = URL.createObjectURL(new Blob([content as BlobPart], { type }));
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [content, type]);
  return url;
}
