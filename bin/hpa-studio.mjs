#!/usr/bin/env node
// Entry point of `npx hpa-studio <command>`: runs the TypeScript CLI in src/cli through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
// the bench is a command of the CLI but lives with the bench (bench/command.ts): the CLI never imports it
const { benchCommand } = await import('../bench/command.ts');
process.exitCode = await main(process.argv.slice(2), [benchCommand]);
