import { useEffect } from 'react';
import { useStudio } from './store';
import { StatusBar } from './StatusBar';
import { DatasetsPanel } from './datasets/DatasetsPanel';
import { Explorer } from './explorer/Explorer';
import { TrainPanel } from './train/TrainPanel';
import { ExportPanel } from './export/ExportPanel';
import { EvaluatePanel } from './evaluation/EvaluatePanel';
import { ComparePanel } from './runs/ComparePanel';
import { LossLesson } from './lesson/LossLesson';
import { TabBar } from './workspace/TabBar';
import { ContextBar } from './workspace/ContextBar';
import { EmptyState } from './workspace/EmptyState';
import { useRoute, navigate } from './workspace/useRoute';
import { useRouteSync } from './workspace/useRouteSync';
import { tabLabel } from './workspace/route';
import { ErrorBoundary } from './ErrorBoundary';
import { ConsistencyNotice } from './ConsistencyNotice';

/** The workspace: a header with the dataset and run in use, one tab per area (in the URL), the status bar. */
export function App() {
  const connect = useStudio((s) => s.connect);
  const refreshRuns = useStudio((s) => s.refreshRuns);
  const refreshDatasets = useStudio((s) => s.refreshDatasets);
  const dataset = useStudio((s) => s.datasets.find((d) => d.id === s.selectedDatasetId && d.status !== 'importing'));
  const route = useRoute();
  useEffect(() => connect(), [connect]);
  const watchOtherTabs = useStudio((s) => s.watchOtherTabs);
  useEffect(() => watchOtherTabs(), [watchOtherTabs]);
  useEffect(() => {
    void refreshDatasets();
    void refreshRuns();
  }, [refreshDatasets, refreshRuns]);
  useRouteSync(route);
  useEffect(() => {
    document.title = `${tabLabel(route.tab)} · HPA Studio`;
    // a new area starts at its top: the scrolling element is shared by every area
    document.getElementById('studio-main')?.scrollTo(0, 0);
  }, [route.tab]);

  return (
    <div className="studio">
      <header className="studio-header">
        <div className="studio-title">
          <h1>HPA Studio</h1>
          <p className="tagline">Protein-localisation models trained in your browser, on your GPU. Nothing leaves your machine.</p>
        </div>
        <ContextBar route={route} />
      </header>
      <ConsistencyNotice />
      <TabBar current={route} />
      <main className="studio-main" id="studio-main" aria-label={tabLabel(route.tab)} data-testid={`area-${route.tab}`}>
        <ErrorBoundary key={route.tab}>
          {route.tab === 'datasets' && <DatasetsPanel />}
          {route.tab === 'explore' &&
            (dataset ? (
              <section className="panel" aria-label="Explorer">
                <h2>Explore {dataset.name}</h2>
                <Explorer key={`${dataset.id}-${dataset.train + dataset.test}`} dataset={dataset} headerRunId={route.run} />
              </section>
            ) : (
              <EmptyState title="No dataset to explore yet" action="Go to Datasets" onAction={() => navigate({ tab: 'datasets' })}>
                Import the Kaggle zip or try the demo dataset; its samples, classes and co-occurrences show here.
              </EmptyState>
            ))}
          {route.tab === 'train' && <TrainPanel dataset={dataset} />}
          {route.tab === 'evaluate' && <EvaluatePanel runId={route.run} />}
          {route.tab === 'compare' && <ComparePanel />}
          {route.tab === 'predict' && <ExportPanel dataset={dataset} headerRunId={route.run} />}
          {route.tab === 'lesson' && <LossLesson dataset={dataset} />}
        </ErrorBoundary>
      </main>
      <StatusBar />
    </div>
  );
}
