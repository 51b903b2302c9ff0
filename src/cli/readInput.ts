import { readFileSync } from 'node:fs';
import { UsageError } from './command';

/** Reads a text file a command was given; one-line errors name the flag and the file (a missing flag is a usage error, exit 2). */
export function readInput(path: string | undefined, flag: string): string {
  if (!path) throw new UsageError(`--${flag} is required`);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new Error(`cannot read --${flag} ${path}: ${why}`, { cause: e });
  }
}
