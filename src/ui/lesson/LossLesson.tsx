import { memo, useEffect, useState } from 'react';
import type { DatasetRecord } from '../../data/catalog';
import { lessonProgress, formatDuration } from '../../core/lesson/progress';
import type { LessonRecord } from '../../core/lesson/types';
import { MIN_INPUT_SIZE, MODELS } from '../../core/models/catalog';
import { ModelSelect } from '../train/ModelSelect';
import {
  LESSON_RECIPE,
  LESSON_VARIANTS,
  lessonProblem,
  lessonVariant,
  lessonVariantIds,
  MAX_LESSON_SEEDS,
  REFERENCE_VARIANT,
} from '../../core/lesson/variants';
import { useStudio } from '../store';
import { heldElsewhere } from '../store/tabsSlice';
import { LessonMechanism } from './LessonMechanism';
import { LessonResults } from './LessonResults';
import { LessonRuns } from './LessonRuns';
import { LossVsPtChart } from './LossVsPtChart';
import './lesson.css';
import { NumberField } from '../NumberField';

const modelLabel = (name: string) => MODELS.find((m) => m.name === name)?.label ?? name;

/** The lesson's settings, its one button, and Stop / Continue. */
const LessonControls = memo(function LessonControls({ dataset }: { dataset: DatasetRecord | undefined }) {
  const settings = useStudio((s) => s.lessonSettings);
  const setSettings = useStudio((s) => s.setLessonSettings);
  const setup = useStudio((s) => s.setup);
  const backendChoice = useStudio((s) => s.backendChoice);
  const startLesson = useStudio((s) => s.startLesson);
  const stopLesson = useStudio((s) => s.stopLesson);
  const continueLesson = useStudio((s) => s.continueLesson);
  const removeLesson = useStudio((s) => s.removeLesson);
  const lesson = useStudio((s) => s.lesson);
  const datasets = useStudio((s) => s.datasets);
  const busy = useStudio((s) => s.live !== null && s.live.phase !== 'ended');
  const importing = useStudio((s) => s.importing !== null);
  const running = lesson?.status === 'running';
  const variants = lessonVariantIds(settings);
  const runs = variants.length * settings.seeds;
  const held = useStudio((s) => heldElsewhere(s, dataset?.id));
  const problem = !dataset
    ? 'No dataset: import one or try the demo dataset first.'
    : held
      ? `${held}: this dataset trains in one tab at a time.`
      : dataset.train < 4
        ? `Dataset '${dataset.name}' has no labelled training images.`
        : lessonProblem(setup, settings, dataset.resolution);
  const canContinue = lesson && (lesson.status === 'stopped' || lesson.status === 'interrupted' || lesson.status === 'failed');
  const lessonDatasetGone = lesson ? !datasets.some((d) => d.id === lesson.datasetId) : false;
  return (
    <div className="lesson-controls">
      <div className="setup-row">
        <ModelSelect label="Lesson model" families={['gapnet']} value={settings.model} onChange={(model) => setSettings({ model })} />
        <NumberField
          width={64}
          label="Lesson input size"
          value={settings.inputSize}
          min={MIN_INPUT_SIZE}
          step={16}
          onChange={(inputSize) => setSettings({ inputSize })}
        />
        <NumberField width={64} label="Lesson epochs" value={settings.epochs} min={1} onChange={(epochs) => setSettings({ epochs })} />
        <NumberField width={64} label="Seeds" value={settings.seeds} min={1} max={MAX_LESSON_SEEDS} onChange={(seeds) => setSettings({ seeds })} />
        <span className="lesson-variants">
          {LESSON_VARIANTS.map((v) => (
            <label key={v.id} title={v.what}>
              <input
                type="checkbox"
                aria-label={`Variant ${v.label}`}
                checked={v.id === REFERENCE_VARIANT || settings.variants.includes(v.id)}
                disabled={v.id === REFERENCE_VARIANT}
                onChange={(e) => setSettings({ variants: e.target.checked ? [...settings.variants, v.id] : settings.variants.filter((x) => x !== v.id) })}
              />{' '}
              {v.label}
            </label>
          ))}
        </span>
      </div>
      <p className="hint">
        {runs} runs ({variants.length} variants × {settings.seeds} seed{settings.seeds === 1 ? '' : 's'}) of {modelLabel(settings.model)} at{' '}
        {settings.inputSize} px for {settings.epochs} epoch{settings.epochs === 1 ? '' : 's'}: batch {LESSON_RECIPE.batchSize}, Adam at a constant{' '}
        {LESSON_RECIPE.lr}, flips and quarter turns, one {LESSON_RECIPE.holdout * 100} % stratified hold-out (split seed {settings.splitSeed}) for all runs, on{' '}
        {backendChoice === 'auto'
          ? 'the backend Auto chooses for this model, size and batch (measured at most once, by the first run, and then remembered)'
          : backendChoice}
        .
      </p>
      {problem && !running && (
        <div className="setup-problem" role="alert" data-testid="lesson-problem">
          {problem}
        </div>
      )}
      <div className="setup-row">
        <button
          className="primary"
          data-testid="lesson-start"
          disabled={!!problem || busy || importing || running}
          onClick={() => dataset && startLesson(dataset)}
        >
          Run the loss lesson
        </button>
        {running && (
          <button data-testid="lesson-stop" onClick={stopLesson}>
            Stop (keep the finished runs)
          </button>
        )}
        {canContinue && (
          <button
            data-testid="lesson-continue"
            disabled={busy || importing || lessonDatasetGone}
            onClick={continueLesson}
            title={lessonDatasetGone ? 'Its dataset was deleted' : 'Train the runs it has left'}
          >
            Continue the lesson ({lesson.runs.filter((r) => r.status !== 'done').length} runs left)
          </button>
        )}
        {lesson && !running && (
          <button
            data-testid="lesson-delete"
            onClick={() => {
              if (confirm('Delete this lesson’s results and its runs?')) void removeLesson(true);
            }}
          >
            Delete the lesson and its runs
          </button>
        )}
      </div>
    </div>
  );
});

/** One progress bar and a time left for the whole lesson. */
const LessonProgressView = memo(function LessonProgressView({ lesson }: { lesson: LessonRecord }) {
  const progress = useStudio((s) => s.live?.progress ?? null);
  const liveRunId = useStudio((s) => s.live?.runId ?? null);
  const [now, setNow] = useState(() => Date.now());
  const running = lesson.status === 'running';
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [running]);
  const current = lesson.runs.find((r) => r.status === 'running');
  const fraction =
    current && progress && progress.runId === liveRunId && liveRunId === current.runId
      ? (progress.epoch - 1 + progress.batch / progress.batchesPerEpoch) / Math.max(1, current.totalEpochs)
      : 0;
  const currentSeconds = current?.startedAt ? Math.max(0, (now - current.startedAt) / 1000) : 0;
  const p = lessonProgress(lesson.runs, current ? { seconds: currentSeconds, fraction } : null);
  const elapsed = lesson.elapsedMs / 1000 + currentSeconds;
  const done = lesson.runs.filter((r) => r.status === 'done').length;
  let text: string;
  if (running && current) {
    const index = lesson.runs.indexOf(current) + 1;
    text = `run ${index} of ${lesson.runs.length}: ${lessonVariant(current.variant).label}, seed ${current.seed}${current.epochsDone ? `, ${current.epochsDone}/${current.totalEpochs} epochs` : ''} · ${formatDuration(elapsed)} elapsed · ${
      p.secondsLeft === null ? 'time left: after the first epoch' : `about ${formatDuration(p.secondsLeft)} left`
    }`;
  } else if (running) text = `starting the next run · ${formatDuration(elapsed)} elapsed`;
  else if (lesson.status === 'done') text = `done: ${lesson.runs.length} runs in ${formatDuration(lesson.elapsedMs / 1000)}`;
  else text = `${lesson.status}: ${done} of ${lesson.runs.length} runs finished in ${formatDuration(lesson.elapsedMs / 1000)}`;
  return (
    <div className="lesson-progress">
      <progress data-testid="lesson-progress" max={1} value={p.fraction} aria-label="Lesson progress" />
      <span data-testid="lesson-progress-text">{text}</span>
      <span className="lesson-state" data-testid="lesson-status" data-status={lesson.status}>
        {lesson.status}
      </span>
      {lesson.message && <div className="hint">{lesson.message}</div>}
    </div>
  );
});

/**
 * The loss lesson as an experiment: BCE, focal, focal with α and BCE with rare-class upsampling,
 * each over several seeds on one split; then what this run found, per class and for rare and
 * common classes, and the mechanism (where the loss gradient comes from) live while it trains.
 */
export const LossLesson = memo(function LossLesson({ dataset }: { dataset: DatasetRecord | undefined }) {
  const lesson = useStudio((s) => s.lesson);
  const loadLesson = useStudio((s) => s.loadLesson);
  const datasetId = dataset?.id ?? null;
  useEffect(() => {
    void loadLesson(datasetId);
  }, [loadLesson, datasetId]);
  return (
    <section className="panel" aria-label="Focal loss lesson">
      <h2>The loss lesson: do focal loss, α and upsampling help rare classes?</h2>
      <div className="lesson-text">
        <p>
          An experiment, not an anecdote: the lesson trains BCE, focal loss (γ = 2), focal loss with a per-class α from inverse frequency, and BCE with the rare
          classes’ images repeated, each once per seed. Within a seed every variant starts from the same weights, sees the same split and the batches in the
          same order, so the difference between two variants of one seed is the loss’s doing; the spread over seeds says how much of it chance alone would give.
        </p>
      </div>
      <LessonControls dataset={dataset} />
      {lesson && <LessonProgressView lesson={lesson} />}
      {lesson && lesson.datasetId !== dataset?.id && (
        <p className="hint">
          Lesson on {lesson.datasetName}, {new Date(lesson.createdAt).toLocaleString()}.
        </p>
      )}
      {lesson && <LessonResults lesson={lesson} />}
      {lesson && <LessonRuns runs={lesson.runs} />}
      {lesson && <LessonMechanism lesson={lesson} />}
      <LossVsPtChart />
    </section>
  );
});
