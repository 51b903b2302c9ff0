import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { nodeBackendReport } from '../nodeBackends';

export const backendInfo: Command = {
  name: 'backend-info',
  summary: 'list the tfjs backends Node can train on here, and which one is used',
  usage: `Usage: hpa-studio backend-info [--json]

Lists the tfjs backends available to the Node CLI on this machine, says which one training
would use and why, then times a short training check (3 steps of a small 4-channel CNN, 16 px).

  --json   print the report as JSON`,
  async run(args) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true });
    const report = await nodeBackendReport();
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    console.log(`tfjs ${report.tfjsVersion} on Node ${process.version} (${process.platform} ${process.arch})`);
    for (const b of report.backends) console.log(`  ${b.available ? '✓' : '✗'} ${b.name.padEnd(7)} ${b.reason}`);
    console.log(`Active: ${report.active}`);
    const c = report.check;
    console.log(
      `Training check: ${c.steps} steps, loss ${c.losses[0].toFixed(4)} → ${c.losses.at(-1)!.toFixed(4)}, first step ${c.firstStepMs.toFixed(0)} ms, then ${c.stepMs.toFixed(1)} ms/step`,
    );
    return 0;
  },
};
