import { useEffect, useState } from 'react';
import { NUM_CLASSES } from '../../core/labels';
import { listSamples, type DatasetRecord } from '../../data/catalog';

export interface DatasetFacts {
  datasetId: string;
  /** stored test ids */
  testIds: string[];
  /** test ground truth (the synthetic test_labels.csv), when the dataset has it */
  testTruth: { id: string; labels: number[] }[] | null;
  /** train prevalence per class (target rates of 'proportion' thresholds) */
  rates: number[];
}

/** What the export view needs from the dataset's samples, read once per dataset (and its size). */
export function useDatasetFacts(ds: DatasetRecord | undefined): DatasetFacts | null {
  const [facts, setFacts] = useState<DatasetFacts | null>(null);
  const key = ds ? `${ds.id}:${ds.train}:${ds.test}:${ds.hasTestLabels}` : '';
  useEffect(() => {
    if (!ds) return;
    let live = true;
    void listSamples(ds.id).then((samples) => {
      if (!live) return;
      const test = samples.filter((s) => s.split === 'test');
      const train = samples.filter((s) => s.split === 'train');
      const counts = new Array<number>(NUM_CLASSES).fill(0);
      for (const s of train) for (const c of s.labels) counts[c]++;
      setFacts({
        datasetId: ds.id,
        testIds: test.map((s) => s.id),
        testTruth: ds.hasTestLabels ? test.map((s) => ({ id: s.id, labels: s.labels })) : null,
        rates: counts.map((n) => (train.length ? n / train.length : 0)),
      });
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return facts && ds && facts.datasetId === ds.id ? facts : null;
}
