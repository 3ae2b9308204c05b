/**
 * A mail worker in a process of its own (the kill -9 test): fetches the mailboxes of
 * DATABASE_URL until killed. Prints "ready" once started.
 */
import { parseConfig } from '../../../api/config';
import { EventBus } from '../../../api/events';
import { initOrm } from '../../../api/orm';
import { MailWorkers } from '../services/worker';

async function main() {
  const config = parseConfig(process.env);
  const orm = await initOrm(process.env.DATABASE_URL!, 4);
  const workers = new MailWorkers({ orm, config, events: new EventBus(process.env.DATABASE_URL!) });
  await workers.start();
  process.stdout.write('ready\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
