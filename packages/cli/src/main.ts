#!/usr/bin/env node
import { commands } from './commands/index.ts';
import { runCli } from './run-cli.ts';

const code = await runCli(process.argv.slice(2), commands, {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
});
process.exitCode = code;
