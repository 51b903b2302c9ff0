import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * The element's content width, followed as it resizes (the charts fill their column). Draw the SVG
 * 100 % wide with a viewBox of this width, not this many pixels wide: a fixed width would
 * hold every ancestor whose width follows its content (a grid or flex item) at the widest the page
 * has been, and the element would never be measured narrower.
 */
export function useWidth(): [(el: HTMLDivElement | null) => void, number] {
  const [width, setWidth] = useState(0);
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: HTMLDivElement | null) => {
    observer.current?.disconnect();
    if (!el) return;
    setWidth(el.clientWidth);
    observer.current = new ResizeObserver((entries) => setWidth(Math.round(entries[0].contentRect.width)));
    observer.current.observe(el);
  }, []);
  useEffect(() => () => observer.current?.disconnect(), []);
  return [ref, width];
}
