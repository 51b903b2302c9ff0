/** What every bench result says about the machine it ran on: date, CPU, cores, memory, OS, Node. */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface MachineFacts {
  date: string;
  cpu: string;
  cores: number;
  ramGiB: number;
  os: string;
  node: string;
}

export function machineFacts(): MachineFacts {
  const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? cpus()[0]?.model ?? 'unknown').trim();
  const os = (readFileSync('/etc/os-release', 'utf8').match(/PRETTY_NAME="?([^"\n]*)/)?.[1] ?? process.platform).trim();
  return { date: new Date().toISOString().slice(0, 10), cpu, cores: cpus().length, ramGiB: Math.round(totalmem() / 2 ** 30), os, node: process.version };
}
