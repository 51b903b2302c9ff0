import { useSyncExternalStore } from 'react';

/**
 * The overlay's opacity (0–100 %), held outside React state so that moving the slider re-renders
 * only the slider and the overlay canvas, not the viewer around them.
 */
export class CamOpacity {
  private listeners = new Set<() => void>();

  constructor(private value: number) {}

  readonly get = (): number => this.value;

  readonly set = (percent: number): void => {
    const v = Math.min(100, Math.max(0, Math.round(percent)));
    if (v === this.value) return;
    this.value = v;
    for (const l of this.listeners) l();
  };

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

export function useCamOpacity(o: CamOpacity): number {
  return useSyncExternalStore(o.subscribe, o.get);
}
