/**
 * Where the user is in the studio, as the URL says it: `#/train?dataset=…&run=…`. The hash keeps
 * every route on the one static page (no server routes), and a reload or a shared link returns to
 * the same area, dataset and run.
 */
export const TABS = [
  { id: 'datasets', label: 'Datasets' },
  { id: 'explore', label: 'Explore' },
  { id: 'train', label: 'Train' },
  { id: 'evaluate', label: 'Evaluate' },
  { id: 'compare', label: 'Compare' },
  { id: 'predict', label: 'Predict & export' },
  { id: 'lesson', label: 'Lesson' },
] as const;

export type TabId = (typeof TABS)[number]['id'];

export interface Route {
  tab: TabId;
  dataset: string | null;
  run: string | null;
}

const isTab = (s: string): s is TabId => TABS.some((t) => t.id === s);

/** Any hash gives a route: an unknown or empty one is the Datasets area. */
export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const q = body.indexOf('?');
  const path = q < 0 ? body : body.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : body.slice(q + 1));
  return { tab: isTab(path) ? path : 'datasets', dataset: params.get('dataset') || null, run: params.get('run') || null };
}

export function formatRoute(route: Route): string {
  const params = new URLSearchParams();
  if (route.dataset) params.set('dataset', route.dataset);
  if (route.run) params.set('run', route.run);
  const query = params.toString();
  return `#/${route.tab}${query ? `?${query}` : ''}`;
}

export function tabLabel(tab: TabId): string {
  return TABS.find((t) => t.id === tab)!.label;
}
