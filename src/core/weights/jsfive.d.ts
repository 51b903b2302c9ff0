/** The part of jsfive (pure-JS HDF5 reader, usnistgov/jsfive) that the Keras weights reader uses; the package ships no types. */
declare module 'jsfive' {
  export type Attrs = Record<string, unknown>;
  export class Group {
    readonly name: string;
    readonly keys: string[];
    readonly attrs: Attrs;
    /** a child by relative path; throws a string "<name> not found in group" when absent */
    get(path: string): Group | Dataset;
  }
  export class Dataset {
    readonly name: string;
    readonly shape: number[];
    /** numpy-style: '<f4', '>f8', '<i4', ... (non-string for compound or vlen types) */
    readonly dtype: unknown;
    readonly attrs: Attrs;
    readonly value: ArrayLike<number>;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
}
