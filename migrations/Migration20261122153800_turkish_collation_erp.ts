import { Migration } from '@mikro-orm/migrations';

/** Turkish alphabetical order (see Migration20261122150500_turkish_collation) for the ERP modules. */
const COLUMNS: [string, string, string][] = [
  ['service_stages', 'name', 'varchar(200)'],
  ['sales_stages', 'name', 'varchar(200)'],
  ['service_requests', 'subject', 'varchar(500)'],
  ['opportunities', 'title', 'varchar(300)'],
  ['tasks', 'title', 'varchar(300)'],
  ['contents', 'title', 'varchar(300)'],
  ['documents', 'name', 'varchar(255)'],
];

export class Migration20261122153800_turkish_collation_erp extends Migration {
  override async up(): Promise<void> {
    for (const [table, column, type] of COLUMNS) this.addSql(`alter table "${table}" alter column "${column}" type ${type} collate "tr-x-icu";`);
  }

  override async down(): Promise<void> {
    for (const [table, column, type] of COLUMNS) this.addSql(`alter table "${table}" alter column "${column}" type ${type} collate "default";`);
  }
}
