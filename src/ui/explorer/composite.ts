/** The RGBY composite lives in src/core/composite.ts (the CLI's CAM export draws it too); the explorer imports it from here. */
export * from '../../core/composite';
