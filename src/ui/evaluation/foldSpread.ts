// The spread of per-class thresholds across folds lives in core (the group report uses it too).
export { foldSpread, type Spread } from '../../core/foldSpread';
