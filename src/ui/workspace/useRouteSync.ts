import { useEffect, useRef } from 'react';
import { useStudio } from '../store';
import { navigate } from './useRoute';
import { parseRoute, type Route } from './route';

/**
 * Keeps the URL and the store's selected dataset in step: a link or the back button selects the
 * dataset it names; a selection in the page (or a finished import) is written into the URL.
 * A new training run becomes the run shown.
 */
export function useRouteSync(route: Route) {
  const selected = useStudio((s) => s.selectedDatasetId);
  const datasets = useStudio((s) => s.datasets);
  const selectDataset = useStudio((s) => s.selectDataset);
  const liveRun = useStudio((s) => (s.live && s.live.group === null ? s.live.runId : null));

  // URL → store, only when the URL's dataset changes (a link, the back button, the first load): a
  // change of the catalog alone must not send the selection back to the URL's older dataset
  useEffect(() => {
    if (route.dataset && route.dataset !== useStudio.getState().selectedDatasetId) selectDataset(route.dataset);
  }, [route.dataset, selectDataset]);

  // store → URL, once the selection names a stored dataset
  const written = useRef<string | null>(null);
  useEffect(() => {
    if (!selected || written.current === selected || !datasets.some((d) => d.id === selected)) return;
    written.current = selected;
    if (selected !== parseRoute(window.location.hash).dataset) navigate({ dataset: selected }, 'replace');
  }, [selected, datasets]);

  useEffect(() => {
    if (liveRun) navigate({ run: liveRun }, 'replace');
  }, [liveRun]);
}
