import { Migration } from '@mikro-orm/migrations';

/**
 * Throttle keys now name what they count: `signin:<e-mail>|<address>`, `signin-ip:<address>`
 * and `password:<user id>` (modules/identity/services/auth.service.ts). An e-mail may be 320
 * characters, so the key grows to 400. Counts kept under the old key (the bare e-mail) no
 * longer mean anything and are dropped.
 */
export class Migration20261201090000_login_throttle_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`delete from "login_throttles";`);
    this.addSql(`alter table "login_throttles" alter column "key" type varchar(400);`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "login_throttles";`);
    this.addSql(`alter table "login_throttles" alter column "key" type varchar(320);`);
  }
}
