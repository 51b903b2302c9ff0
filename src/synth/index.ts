/**
 * The synthetic HPA-like dataset generator: pure, seeded TypeScript with no Node APIs, so it runs in
 * a browser Worker and in Node alike. See docs/gallery.md for what each class looks like.
 */
export { renderSample, CLASS_MASK_LEVEL, type RenderOptions, type SampleChannels, type RenderedSample, type ClassMask } from './renderSample';
export {
  planDataset,
  checkSynthOptions,
  classCounts,
  minPerClassOf,
  type SynthOptions,
  type DatasetPlan,
  type PlannedSample,
  MIN_SIZE,
  MAX_SIZE,
  CAP_DOMINANT_KEEP,
} from './planDataset';
export { TEACHING_DEMO, TEACHING_MIN_PER_CLASS, MIN_VALIDATION_POSITIVES, demoSynthOptions, classesTooRareToScore } from './teachingDemo';
export { writeDatasetZip, makeDatasetZip, encodeChannel, CHANNELS, ZIP_DATE } from './datasetZip';
