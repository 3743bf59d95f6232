#!/usr/bin/env node
// Entry point: `bollard controller [flags]` and `bollard migrate report [flags]`. Only parses the
// command and wires signals.
import { ConfigError, loadControllerConfig } from './config/load.ts';
import { loadMigrateConfig, MIGRATE_USAGE } from './config/migrate.ts';
import { runMigrateReport } from './migrate/command.ts';
import { IngressSourceError } from './migrate/ingress-sources.ts';
import { renderHelp } from './config/help.ts';
import { startController } from './controller.ts';
import { createLogger } from './log/logger.ts';

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'migrate') return migrate(rest);
  if (command === undefined || command === '--help' || command === '-h' || rest.includes('--help')) {
    process.stdout.write(renderHelp());
    return command === undefined ? 2 : 0;
  }
  if (command !== 'controller') {
    process.stderr.write(`unknown command ${JSON.stringify(command)}\n\n${renderHelp()}`);
    return 2;
  }
  const config = loadControllerConfig(rest, process.env);
  const log = createLogger(config.logLevel);
  const controller = await startController(config, log);
  const { promise: signalled, resolve } = Promise.withResolvers<string>();
  process.once('SIGTERM', () => { resolve('SIGTERM'); });
  process.once('SIGINT', () => { resolve('SIGINT'); });
  log.info('shutdown requested', { signal: await signalled });
  await controller.shutdown();
  return 0;
}

async function migrate(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'report' || rest.includes('--help') || rest.includes('-h')) {
    (sub === 'report' ? process.stdout : process.stderr).write(MIGRATE_USAGE);
    return sub === 'report' ? 0 : 2;
  }
  return runMigrateReport(loadMigrateConfig(rest), process.stdout);
}

main(process.argv.slice(2)).then(
  (code) => { process.exit(code); },
  (err: unknown) => {
    const text = err instanceof ConfigError || err instanceof IngressSourceError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`bollard: ${text}\n`);
    process.exit(1);
  },
);
