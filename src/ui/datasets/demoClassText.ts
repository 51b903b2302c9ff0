/**
 * The demo options' words about class counts: the smallest class in each split and the classes a
 * 20 % hold-out leaves too few positives to score, both from the counts the plan will generate, so
 * the claim and the warning never disagree (a small teaching demo cannot reach its 60 per class).
 */
import { classesTooRareToScore, MIN_VALIDATION_POSITIVES, TEACHING_MIN_PER_CLASS } from '../../synth/teachingDemo';

export interface DemoClassText {
  /** "every class is in at least N train and M test samples", from the planned counts */
  floor: string;
  /** the classes too rare to score and what to do, or null */
  warning: string | null;
}

export function demoClassText(kind: 'realistic' | 'teaching', train: readonly number[], test: readonly number[]): DemoClassText {
  const minTrain = Math.min(...train);
  const minTest = Math.min(...test);
  const short = kind === 'teaching' && minTrain < TEACHING_MIN_PER_CLASS ? ` (${TEACHING_MIN_PER_CLASS} is its aim: more train samples reach it)` : '';
  const floor = `every class is in at least ${minTrain} train and ${minTest} test samples${short}`;
  const rare = classesTooRareToScore(train);
  const advice = kind === 'teaching' ? 'use more train samples' : 'use the teaching demo or more samples';
  const warning = rare.length
    ? `⚠ ${rare.length === 1 ? 'Class' : 'Classes'} ${rare.join(', ')}: too few samples for ${rare.length === 1 ? 'its' : 'their'} F1 to be measured` +
      ` (under ${MIN_VALIDATION_POSITIVES} validation positives expected in a 20 % hold-out); ${advice}.`
    : null;
  return { floor, warning };
}
