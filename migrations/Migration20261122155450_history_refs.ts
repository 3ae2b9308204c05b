import { Migration } from '@mikro-orm/migrations';

export class Migration20261122155450_history_refs extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "application_history" add column "ref_type" varchar(50) null, add column "ref_id" int null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "application_history" drop column "ref_type", drop column "ref_id";`);
  }

}
