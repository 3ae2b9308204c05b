import { Migration } from '@mikro-orm/migrations';

/** Turkish alphabetical order (see Migration20261122150500_turkish_collation) for mailbox names. */
export class Migration20261122165500_mail_turkish_collation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "mailboxes" alter column "name" type varchar(200) collate "tr-x-icu";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "mailboxes" alter column "name" type varchar(200) collate "default";`);
  }
}
