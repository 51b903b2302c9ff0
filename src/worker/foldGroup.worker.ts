/**
 * The dedicated fold group worker (one per job, no backend): a K-fold group's out-of-fold
 * evaluation and comparison, or its report zip. Speaks only the messages of ./protocol.
 */
import { evaluateGroup, groupComparison } from '../core/foldGroup';
import { groupReportFiles } from '../core/foldGroupReport';
import { writeZipFiles } from '../core/zipFiles';
import type { FromFoldGroupWorker, ToFoldGroupWorker } from './protocol';
import { typedPost } from './typedPost';

const post = typedPost<FromFoldGroupWorker>();

self.onmessage = async (event: MessageEvent<ToFoldGroupWorker>) => {
  const msg = event.data;
  try {
    if (msg.type === 'evaluate') {
      const evaluation = evaluateGroup(msg.folds, msg.rates ? { rates: msg.rates } : {});
      const comparison = groupComparison(msg.folds, evaluation, msg.testTruth ? { testTruth: msg.testTruth } : {});
      post({ type: 'evaluated', jobId: msg.jobId, evaluation, comparison });
    } else {
      const files = groupReportFiles(msg.input);
      const enc = new TextEncoder();
      const bytes = await writeZipFiles(files.map((f) => [f.path, enc.encode(f.text)] as [string, Uint8Array]));
      post({ type: 'report', jobId: msg.jobId, bytes, files: files.map((f) => f.path) }, [bytes.buffer as ArrayBuffer]);
    }
  } catch (e) {
    post({ type: 'failed', jobId: msg.jobId, message: e instanceof Error ? e.message : String(e) });
  }
};
