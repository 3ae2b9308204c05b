import { Migration } from '@mikro-orm/migrations';

/**
 * Names and subjects sort in Turkish alphabetical order (Ç after C, Ğ after G, I before İ,
 * Ö after O, Ş after S, Ü after U) whatever the database's default collation is, using
 * PostgreSQL's ICU collation "tr-x-icu". MikroORM 6 has no column collation option and its
 * diff ignores collations, so this migration is hand-written and is the only place that
 * says it: a new sortable name column needs a line here (or in its own migration).
 */
const COLUMNS: [string, string, string][] = [
  ['users', 'name', 'varchar(200)'],
  ['teams', 'name', 'varchar(200)'],
  ['roles', 'name', 'varchar(200)'],
  ['priorities', 'name', 'varchar(200)'],
  ['contact_channels', 'name', 'varchar(200)'],
  ['branches', 'name', 'varchar(200)'],
  ['projects', 'name', 'varchar(200)'],
  ['campaigns', 'name', 'varchar(200)'],
  ['regions', 'name', 'varchar(200)'],
  ['accounts', 'name', 'varchar(300)'],
  ['contacts', 'first_name', 'varchar(100)'],
  ['contacts', 'last_name', 'varchar(100)'],
  ['subscriptions', 'name', 'varchar(200)'],
  ['process_stages', 'name', 'varchar(200)'],
  ['categories', 'name', 'varchar(200)'],
  ['applications', 'subject', 'varchar(500)'],
  ['extra_field_definitions', 'label', 'varchar(200)'],
];

export class Migration20261122150500_turkish_collation extends Migration {
  override async up(): Promise<void> {
    for (const [table, column, type] of COLUMNS) {
      this.addSql(`alter table "${table}" alter column "${column}" type ${type} collate "tr-x-icu";`);
    }
  }

  override async down(): Promise<void> {
    for (const [table, column, type] of COLUMNS) {
      this.addSql(`alter table "${table}" alter column "${column}" type ${type} collate "default";`);
    }
  }
}
