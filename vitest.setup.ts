import { env } from '@tensorflow/tfjs-core';

// Silences tfjs's console banner recommending tfjs-node (whose native install we do not use).
env().set('PROD', true);
