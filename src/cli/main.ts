import { env } from '@tensorflow/tfjs-core';
import { commands as cliCommands } from './commands/index';

// PROD silences tfjs's console banner suggesting tfjs-node (whose native install we do not use).
env().set('PROD', true);
import { UsageError, wantsHelp, type Command } from './command';

function overview(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: hpa-studio <command> [options]',
    '',
    'HPA Studio on the command line: the same core as the browser studio.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'hpa-studio <command> --help' for a command's options.",
  ].join('\n');
}

/**
 * Runs one CLI invocation and returns its exit status (0 ok, 1 failure, 2 usage error). `more`:
 * commands that live outside src/cli (the bench), handed in by the entry point.
 */
export async function main(argv: string[], more: Command[] = []): Promise<number> {
  const commands = [...cliCommands, ...more];
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview(commands));
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`hpa-studio: unknown command '${name}'. Commands: ${commands.map((c) => c.name).join(', ')}.`);
    return 2;
  }
  if (wantsHelp(rest)) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`hpa-studio ${name}: ${(e as Error).message}\nRun 'hpa-studio ${name} --help' for usage.`);
      return 2;
    }
    console.error(`hpa-studio ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
