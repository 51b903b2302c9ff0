/**
 * Gives the event loop one turn: resolves from a fresh task, so that everything queued meanwhile
 * runs first — a worker's messages (Pause, Stop), timers, and the completions of storage reads
 * the prefetch queue started.
 *
 * Needed because a training step can finish without one: on wasm and cpu, `await tensor.data()`
 * resolves as a microtask, and a loop of microtasks never lets a task in. Without this, a Pause
 * pressed during an epoch on wasm was seen only when the epoch ended, and read completions piled
 * up until the loop next waited on the data.
 *
 * A MessageChannel, not setTimeout(0): browsers clamp nested timeouts to 4 ms; a posted message
 * is not clamped (Node 15+ has MessageChannel too). The ports are closed, so Node can exit.
 */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      port2.close();
      resolve();
    };
    port2.postMessage(null);
  });
}
