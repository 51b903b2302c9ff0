/**
 * A worker script's one way to answer the page: `post` typed with that worker's replies in
 * protocol.ts, with transferables (image batches, model bytes) moved rather than copied.
 */
export function typedPost<From>(): (msg: From, transfer?: Transferable[]) => void {
  const scope = self as unknown as { postMessage(msg: From, transfer: Transferable[]): void };
  return (msg, transfer = []) => scope.postMessage(msg, transfer);
}
