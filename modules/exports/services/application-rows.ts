import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { scoped, withEm, type Context } from '../../../api/context';
import { Application } from '../../applications/entities/application.entities';
import { Category, ProcessStage } from '../../applications/entities/classification.entities';
import type { ApplicationFilter, ApplicationSort } from '../../applications/dto/application.input';
import { applicationService } from '../../applications/services/application.service';
import { accountAndContactNames } from '../../accounts/services/account.services';
import { ExtraFieldTarget, ExtraFieldType } from '../../extra-fields/entities/extra-field-definition.entity';
import { definitionsFor } from '../../extra-fields/services/extra-field.service';
import { Team } from '../../identity/entities/team.entity';
import { User } from '../../identity/entities/user.entity';
import { Branch, Campaign, ContactChannel, Priority, Project } from '../../reference/entities/reference.entities';
import type { CellValue, XlsxColumn } from '../xlsx';
import { formatDateTime, toDate } from '../time';

/** A raw row of the export query (database column names). */
type Row = Record<string, any>;

interface Names {
  stage: Map<number, string>;
  priority: Map<number, string>;
  category: Map<number, string>;
  channel: Map<number, string>;
  branch: Map<number, string>;
  project: Map<number, string>;
  campaign: Map<number, string>;
  team: Map<number, string>;
  user: Map<number, string>;
  /** Filled per batch. */
  account: Map<number, string>;
  contact: Map<number, string>;
}

export interface ExportColumn extends XlsxColumn {
  /** The Application field a field rule may hide (null: always shown). */
  field: string | null;
  /** Shown in the PDF table (the Excel file has every column). */
  pdf: boolean;
  weight?: number;
  value(r: Row, n: Names): CellValue;
}

const name = (m: Map<number, string>, id: number | null | undefined) => (id == null ? null : (m.get(id) ?? null));

/** The classification as on screen: Kategori › Alt kategori › Ağaç kategori (names the user may read). */
export const categoryPath = (m: Map<number, string>, ...ids: (number | null | undefined)[]): string | null =>
  ids.map((id) => name(m, id)).filter(Boolean).join(' › ') || null;

/** The columns of the application list export, in order; extra fields follow. */
const BASE_COLUMNS: ExportColumn[] = [
  { header: 'Numara', field: null, pdf: true, width: 14, weight: 1.1, value: (r) => r.number },
  { header: 'Başvuru tarihi', field: 'applicationDate', type: 'datetime', pdf: true, weight: 1.5, value: (r) => toDate(r.application_date) },
  { header: 'Konu', field: 'subject', pdf: true, width: 40, weight: 2.3, value: (r) => r.subject },
  { header: 'Başvuru yapan', field: 'applicant', pdf: true, width: 28, weight: 1.6, value: (r, n) => name(n.account, r.applicant_id) },
  { header: 'Bildiren', field: 'reporter', pdf: false, width: 24, value: (r, n) => name(n.contact, r.reporter_id) },
  { header: 'Aşama', field: 'stage', pdf: true, width: 16, value: (r, n) => name(n.stage, r.stage_id) },
  { header: 'Öncelik', field: 'priority', pdf: true, width: 12, weight: 0.8, value: (r, n) => name(n.priority, r.priority_id) },
  // The whole path (the PDF has no room for three columns); the Excel file also has each level.
  { header: 'Kategori', field: 'category', pdf: true, width: 40, weight: 2.2, value: (r, n) => categoryPath(n.category, r.category_id, r.subcategory_id, r.tree_category_id) },
  { header: 'Alt kategori', field: 'subcategory', pdf: false, width: 20, value: (r, n) => name(n.category, r.subcategory_id) },
  { header: 'Ağaç kategori', field: 'treeCategory', pdf: false, width: 20, value: (r, n) => name(n.category, r.tree_category_id) },
  { header: 'Kanal', field: 'channel', pdf: false, width: 14, value: (r, n) => name(n.channel, r.channel_id) },
  { header: 'Şube', field: 'branch', pdf: false, width: 16, value: (r, n) => name(n.branch, r.branch_id) },
  {
    header: 'Atanan',
    field: 'assignee',
    pdf: true,
    width: 24,
    weight: 1.4,
    value: (r, n) => (r.assignee_everyone ? 'Herkes' : [name(n.team, r.assignee_team_id), name(n.user, r.assignee_user_id)].filter(Boolean).join(' / ') || null),
  },
  { header: 'Sorumlu', field: 'responsible', pdf: false, width: 20, value: (r, n) => name(n.user, r.responsible_id) },
  { header: 'Proje', field: 'project', pdf: false, width: 18, value: (r, n) => name(n.project, r.project_id) },
  { header: 'Kampanya', field: 'campaign', pdf: false, width: 18, value: (r, n) => name(n.campaign, r.campaign_id) },
  { header: 'Referans no', field: 'referenceNo', pdf: false, width: 14, value: (r) => r.reference_no },
  { header: 'Kabul tarihi', field: 'acceptanceDate', type: 'datetime', pdf: false, value: (r) => toDate(r.acceptance_date) },
  { header: 'Kapanış tarihi', field: null, type: 'datetime', pdf: true, weight: 1.5, value: (r) => toDate(r.closed_at) },
  { header: 'Takip sayısı', field: null, type: 'integer', pdf: false, value: (r) => r.follow_up_count },
  { header: 'Harcanan süre (dk)', field: null, type: 'integer', pdf: true, weight: 0.8, value: (r) => r.time_spent_minutes },
  { header: 'Detay', field: 'detail', pdf: false, width: 50, value: (r) => (r.detail ? String(r.detail).slice(0, 32_000) : null) },
];

const SELECT = [
  'id', 'number', 'applicationDate', 'subject', 'detail', 'applicant', 'reporter', 'stage', 'priority', 'category', 'subcategory', 'treeCategory', 'channel', 'branch',
  'assigneeUser', 'assigneeTeam', 'assigneeEveryone', 'responsible', 'project', 'campaign', 'referenceNo', 'acceptanceDate', 'closedAt', 'followUpCount', 'timeSpentMinutes', 'extra',
].map((f) => `e.${f}`);

/** The columns this user may read: a column whose field a rule hides is left out. */
export async function applicationColumns(ctx: Context): Promise<ExportColumn[]> {
  const can = (field: string | null) => !field || ctx.system || ctx.ability.can('read', 'Application', field);
  const cols = BASE_COLUMNS.filter((c) => can(c.field)).map((c) =>
    // The path names only the levels this user may read.
    c.field === 'category'
      ? { ...c, value: (r: Row, n: Names) => categoryPath(n.category, r.category_id, can('subcategory') ? r.subcategory_id : null, can('treeCategory') ? r.tree_category_id : null) }
      : c,
  );
  if (can('extra')) {
    for (const def of await definitionsFor(ctx, ExtraFieldTarget.APPLICATION)) {
      const key = def.key;
      const type: XlsxColumn['type'] = def.type === ExtraFieldType.NUMBER ? 'number' : def.type === ExtraFieldType.DATE ? 'date' : def.type === ExtraFieldType.BOOLEAN ? 'boolean' : 'string';
      cols.push({
        header: def.label,
        field: 'extra',
        type,
        pdf: false,
        width: Math.max(12, Math.min(40, def.label.length + 2)),
        value: (r) => {
          const v = r.extra?.[key];
          if (v === undefined || v === null) return null;
          if (Array.isArray(v)) return v.join(', ');
          if (type === 'date' && typeof v === 'string') return new Date(`${v}T00:00:00Z`);
          return v as CellValue;
        },
      });
    }
  }
  return cols;
}

/** Names of the records of one kind the user may read (others stay unnamed, as in the API). */
async function nameMap(ctx: Context, entity: new () => { id: number; name: string }, subject: string): Promise<Map<number, string>> {
  const where = scoped(ctx, 'read', subject, {});
  const rows = where ? await ctx.em.find(entity, where as never, { fields: ['id', 'name'] as never }) : [];
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Names of the small reference lists, once per export, through the user's read rules. */
export async function referenceNames(ctx: Context): Promise<Names> {
  const [stage, priority, category, channel, branch, project, campaign, team, user] = await Promise.all([
    nameMap(ctx, ProcessStage, 'ProcessStage'),
    nameMap(ctx, Priority, 'Priority'),
    nameMap(ctx, Category, 'Category'),
    nameMap(ctx, ContactChannel, 'ContactChannel'),
    nameMap(ctx, Branch, 'Branch'),
    nameMap(ctx, Project, 'Project'),
    nameMap(ctx, Campaign, 'Campaign'),
    nameMap(ctx, Team, 'Team'),
    nameMap(ctx, User, 'User'),
  ]);
  return { stage, priority, category, channel, branch, project, campaign, team, user, account: new Map(), contact: new Map() };
}

/** Account and contact names of one batch (the accounts module, the user's read rules). */
async function batchNames(ctx: Context, rows: Row[], names: Names): Promise<void> {
  const ids = (col: string) => [...new Set(rows.map((r) => r[col]).filter((x) => x != null))] as number[];
  const found = await accountAndContactNames(ctx, ids('applicant_id'), ids('reporter_id'));
  names.account = found.accounts;
  names.contact = found.contacts;
}

export interface RowStream {
  columns: ExportColumn[];
  /** Rows matching, counted before streaming (for the progress percentage). */
  total: number;
  names: Names;
}

/**
 * Streams the application list (the same filter, sort and permission WHERE as the
 * `applications` query; `filter.ids` for selected rows) through a server-side cursor in
 * one read-only transaction: one FETCH and one name lookup per batch. `onBatch` gets the
 * cells of each batch in column order; returning false stops (cancel).
 */
export async function streamApplications(
  ctx: Context,
  input: { filter?: ApplicationFilter; sort?: ApplicationSort[] },
  opts: { batchSize?: number; onStart?: (s: RowStream) => Promise<void> | void; onBatch: (cells: CellValue[][], s: RowStream) => Promise<boolean> },
): Promise<RowStream> {
  const { whereOf, orderBy } = await applicationService.listQuery(ctx, input.filter, input.sort);
  const columns = await applicationColumns(ctx);
  const em = ctx.em.fork() as SqlEntityManager;
  const names = await referenceNames(withEm(ctx, em));
  const stream: RowStream = { columns, total: 0, names };
  const where = whereOf();
  if (where === null) {
    await opts.onStart?.(stream);
    return stream;
  }
  await em.transactional(async (tem) => {
    const t = tem as SqlEntityManager;
    const tctx = withEm(ctx, t);
    await t.execute('set transaction isolation level repeatable read, read only');
    // Every row will be read: plan for the whole result, not for the first rows (the default for cursors).
    await t.execute('set local cursor_tuple_fraction = 1');
    const countQb = t.createQueryBuilder(Application, 'e').count('e.id').where(whereOf() as never);
    const [{ count }] = (await countQb.execute('all', false)) as { count: string }[];
    stream.total = Number(count);
    await opts.onStart?.(stream);
    const qb = t.createQueryBuilder(Application, 'e').select(SELECT).where(whereOf() as never).orderBy(orderBy as never);
    const { sql, bindings } = qb.getKnexQuery().toSQL();
    await t.execute(`declare export_rows no scroll cursor for ${sql}`, bindings as unknown[]);
    const size = opts.batchSize ?? 2000;
    const fetch = () => t.execute<Row[]>(`fetch ${size} from export_rows`);
    let rows = await fetch();
    while (rows.length) {
      await batchNames(tctx, rows, names);
      // The next batch is read while this one is written (PostgreSQL and Node work in parallel).
      const next = rows.length === size ? fetch() : Promise.resolve([] as Row[]);
      next.catch(() => undefined);
      const cells = rows.map((r) => columns.map((c) => c.value(r, names)));
      if (!(await opts.onBatch(cells, stream))) {
        await next;
        break;
      }
      rows = await next;
    }
    await t.execute('close export_rows');
  });
  return stream;
}

/** A readable summary of the filter for a report header ("Aşama: Açık, İşlemde"). */
export function describeFilter(filter: ApplicationFilter | undefined, names: Names): string[] {
  if (!filter) return [];
  const out: string[] = [];
  const list = (label: string, ids: string[] | undefined, m?: Map<number, string>) => {
    if (ids?.length) out.push(`${label}: ${ids.map((id) => (m ? (m.get(Number(id)) ?? id) : id)).join(', ')}`);
  };
  if (filter.search?.trim()) out.push(`Arama: ${filter.search.trim()}`);
  list('Aşama', filter.stageIds, names.stage);
  list('Öncelik', filter.priorityIds, names.priority);
  list('Kategori', filter.categoryIds, names.category);
  list('Kanal', filter.channelIds, names.channel);
  list('Şube', filter.branchIds, names.branch);
  list('Proje', filter.projectIds, names.project);
  list('Kampanya', filter.campaignIds, names.campaign);
  list('Atanan kullanıcı', filter.assigneeUserIds, names.user);
  list('Atanan takım', filter.assigneeTeamIds, names.team);
  if (filter.closed !== undefined && filter.closed !== null) out.push(`Durum: ${filter.closed ? 'kapalı' : 'açık'}`);
  const range = (label: string, r?: { from?: Date; to?: Date }) => {
    if (r && (r.from || r.to)) out.push(`${label}: ${r.from ? formatDateTime(r.from) : '…'} – ${r.to ? formatDateTime(r.to) : '…'}`);
  };
  range('Başvuru tarihi', filter.applicationDate);
  range('Kapanış tarihi', filter.closedAt);
  if (filter.ids?.length) out.push(`Seçili kayıtlar: ${filter.ids.length}`);
  return out;
}

/** Date ranges come back from the job's JSON parameters as strings. */
export function reviveFilter(f: Record<string, any> | undefined): ApplicationFilter | undefined {
  if (!f) return undefined;
  const out = { ...f };
  for (const k of ['applicationDate', 'acceptanceDate', 'closedAt', 'createdAt']) {
    const r = out[k];
    if (r && typeof r === 'object') out[k] = { from: r.from ? new Date(r.from) : undefined, to: r.to ? new Date(r.to) : undefined };
  }
  return out as ApplicationFilter;
}
