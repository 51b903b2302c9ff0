/** The shape of one `hpa-studio` command. Each lives in src/cli/commands/<name>.ts. */
export interface Command {
  name: string;
  /** one line for the command list */
  summary: string;
  /** the full --help text */
  usage: string;
  /** returns the exit status */
  run(args: string[]): Promise<number>;
}

/** A mistake in how the command was called: printed as one line with a pointer to --help. */
export class UsageError extends Error {}

export function wantsHelp(args: string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}
