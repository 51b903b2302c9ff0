import { useEffect, useRef } from 'react';
import { useStudio } from '../store';
import { navigate } from './useRoute';
import type { Route } from './route';

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
  const first = useRef(true);

  // URL → store: on the first render the link's dataset is asked for before the catalog is read
  // (the catalog keeps it if it exists); later, whenever the URL names a stored dataset.
  useEffect(() => {
    if (!route.dataset || route.dataset === useStudio.getState().selectedDatasetId) return;
    if (first.current || datasets.some((d) => d.id === route.dataset)) selectDataset(route.dataset);
  }, [route.dataset, datasets, selectDataset]);
  useEffect(() => {
    first.current = false;
  }, []);

  // store → URL
  useEffect(() => {
    if (selected && selected !== route.dataset && datasets.some((d) => d.id === selected)) navigate({ dataset: selected }, 'replace');
    // the route is read, not followed: this answers a change of the selection only
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected, datasets]);

  useEffect(() => {
    if (liveRun) navigate({ run: liveRun }, 'replace');
  }, [liveRun]);
}
