import { useEffect } from 'react';
import { useStudio } from './store';
import { StatusBar } from './StatusBar';
import { DatasetsPanel } from './datasets/DatasetsPanel';
import { Explorer } from './explorer/Explorer';
import { TrainPanel } from './train/TrainPanel';
import { ExportPanel } from './export/ExportPanel';

export function App() {
  const connect = useStudio((s) => s.connect);
  const dataset = useStudio((s) => s.datasets.find((d) => d.id === s.selectedDatasetId && d.status !== 'importing'));
  useEffect(() => connect(), [connect]);
  return (
    <div className="studio">
      <header className="studio-header">
        <h1>HPA Studio</h1>
        <p className="tagline">
          Train protein-localisation models on the Human Protein Atlas images, in your browser, on your GPU. Nothing leaves your machine.
        </p>
      </header>
      <main className="studio-main">
        <section className="panel" aria-label="Getting started">
          <h2>Getting started</h2>
          <ol>
            <li>
              Drop the Kaggle <code>train.zip</code> (or try the synthetic demo dataset).
            </li>
            <li>Pick a model and a recipe, press Train, and watch the curves.</li>
            <li>Tune thresholds per class and export a submission CSV and the weights.</li>
          </ol>
          <p>The status bar below shows which backend your browser trains on and why.</p>
        </section>
        <DatasetsPanel />
        {dataset && (
          <section className="panel" aria-label="Explorer">
            <h2>Explorer — {dataset.name}</h2>
            <Explorer key={`${dataset.id}-${dataset.train + dataset.test}`} dataset={dataset} />
          </section>
        )}
        <TrainPanel dataset={dataset} />
        <ExportPanel dataset={dataset} />
      </main>
      <StatusBar />
    </div>
  );
}
