import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One rollup row (migrations/Migration20261122170000_application_stats.ts): written only by
 * the database triggers on applications and time entries, read only by
 * services/statistics.service.ts. Declared here so the schema diff knows the table.
 */
@Entity({ tableName: 'application_stats' })
@Index({ name: 'application_stats_key', expression: 'create unique index "application_stats_key" on "application_stats" ("grain", "kind", "period", "assignee_user_id", "assignee_team_id", "assignee_everyone", "k1", "k2", "k3") nulls not distinct' })
@Index({ name: 'application_stats_user', properties: ['grain', 'kind', 'assigneeUserId', 'period'] })
@Index({ name: 'application_stats_team', properties: ['grain', 'kind', 'assigneeTeamId', 'period'] })
export class ApplicationStat {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** d: a day, m: a month. */
  @Property({ type: 'character', length: 1 })
  grain!: string;

  @Property({ type: 'smallint' })
  kind!: number;

  @Property({ type: 'date' })
  period!: string;

  @Property({ type: 'integer', nullable: true })
  assigneeUserId?: number | null;

  @Property({ type: 'integer', nullable: true })
  assigneeTeamId?: number | null;

  @Property({ type: 'boolean' })
  assigneeEveryone!: boolean;

  @Property({ type: 'integer', nullable: true })
  k1?: number | null;

  @Property({ type: 'integer', nullable: true })
  k2?: number | null;

  @Property({ type: 'integer', nullable: true })
  k3?: number | null;

  @Property({ type: 'bigint', default: 0 })
  n!: string;

  @Property({ type: 'bigint', default: 0 })
  acceptSecs!: string;

  @Property({ type: 'bigint', default: 0 })
  accepted!: string;

  @Property({ type: 'bigint', default: 0 })
  closeSecs!: string;

  @Property({ type: 'bigint', default: 0 })
  closed!: string;
}
