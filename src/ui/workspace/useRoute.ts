import { useSyncExternalStore } from 'react';
import { formatRoute, parseRoute, type Route } from './route';

// replaceState fires no event of its own: this one tells the subscribers a replaced route
const REPLACED = 'hpa-route-replaced';

function subscribe(onChange: () => void) {
  window.addEventListener('hashchange', onChange);
  window.addEventListener(REPLACED, onChange);
  return () => {
    window.removeEventListener('hashchange', onChange);
    window.removeEventListener(REPLACED, onChange);
  };
}

const currentHash = () => window.location.hash;

/** The route in the URL; re-renders when it changes (links, the back button, navigate()). */
export function useRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, currentHash));
}

/**
 * Moves to another route. A new area is a history entry (the back button returns); a change of
 * the dataset or run shown replaces the current one, so back does not step through selections.
 */
export function navigate(patch: Partial<Route>, how: 'push' | 'replace' = 'push') {
  const next = formatRoute({ ...parseRoute(window.location.hash), ...patch });
  if (next === window.location.hash) return;
  if (how === 'push') {
    window.location.hash = next;
  } else {
    window.history.replaceState(window.history.state, '', next);
    window.dispatchEvent(new Event(REPLACED));
  }
}
