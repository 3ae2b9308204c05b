import { AbilityBuilder, buildMongoQueryMatcher, createMongoAbility, subject as asSubject, type MongoAbility } from '@casl/ability';
import { $and, $nor, $not, $or, and, nor, not, or } from '@ucast/mongo2js';
import { wrap, ReferenceKind, type AnyEntity, type FilterQuery } from '@mikro-orm/core';
import type { Conditions, Grant, Principal, SubjectDefinition } from './module';
import { ForbiddenError } from './errors';

export type AppAbility = MongoAbility<[string, any]>;

/**
 * CASL's default matcher knows no $or / $and / $not and silently answers false for them;
 * scopes use them, so the in-memory checks (single records, events, field rules) get a
 * matcher that does, interpreting conditions exactly as the SQL side does.
 */
const conditionsMatcher = buildMongoQueryMatcher({ $and, $or, $nor, $not }, { and, or, nor, not });

/** Every subject the registered modules declare, by name. Filled by the registry. */
export const subjectDefinitions = new Map<string, SubjectDefinition>();

export function registerSubjects(defs: SubjectDefinition[]): void {
  for (const d of defs) subjectDefinitions.set(d.name, d);
}

function conditionsFor(grant: Grant, principal: Principal): Conditions | undefined {
  if (grant.subject === 'all') return undefined;
  const def = subjectDefinitions.get(grant.subject);
  const scopeFn = def?.scopes?.[grant.scope];
  if (!scopeFn) return undefined;
  return scopeFn(principal) ?? undefined;
}

/**
 * Builds the CASL ability for one user from the grants of their roles. Built once per
 * request (and once per subscription); cheap, because it only reads data already loaded.
 */
export function buildAbility(grants: Grant[], principal: Principal | null): AppAbility {
  const { can, cannot, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  if (principal) {
    // Permissions first, denials last: in CASL later rules win.
    for (const g of grants.filter((x) => !x.inverted)) {
      can(g.action, g.subject, g.fields?.length ? g.fields : undefined, conditionsFor(g, principal) as any);
    }
    for (const g of grants.filter((x) => x.inverted)) {
      cannot(g.action, g.subject, g.fields?.length ? g.fields : undefined, conditionsFor(g, principal) as any);
    }
  }
  return build({ conditionsMatcher, detectSubjectType: (o: any) => o.__caslSubjectType__ ?? o.constructor?.name });
}

/**
 * The SQL side of the ability: a MikroORM filter that keeps exactly the rows the user may
 * `action`. `null` means none at all (the caller returns an empty result without querying).
 */
export function accessibleWhere<T>(ability: AppAbility, action: string, subjectName: string): FilterQuery<T> | null {
  const rules = ability.rulesFor(action, subjectName);
  const ors: Conditions[] = [];
  const nots: Conditions[] = [];
  // rulesFor returns the highest priority first; an unconditional permission below a denial
  // is still bounded by that denial, so collect denials seen so far.
  for (const rule of rules) {
    if (rule.inverted) {
      if (!rule.conditions) {
        if (!rule.fields) break; // an unconditional denial hides everything below it
        continue; // a field-level denial hides fields, not rows
      }
      nots.push(rule.conditions as Conditions);
      continue;
    }
    const cond = (rule.conditions as Conditions | undefined) ?? {};
    ors.push(nots.length ? { $and: [cond, ...nots.map((n) => ({ $not: n }))] } : cond);
    if (!rule.conditions && !nots.length) return {} as FilterQuery<T>; // unrestricted
  }
  if (!ors.length) return null;
  if (ors.some((o) => Object.keys(o).length === 0)) return {} as FilterQuery<T>;
  return (ors.length === 1 ? ors[0] : { $or: ors }) as FilterQuery<T>;
}

/** `where` combined with what the user may `action`; null when nothing is visible. */
export function restrictWhere<T>(ability: AppAbility, action: string, subjectName: string, where: FilterQuery<T> = {} as FilterQuery<T>): FilterQuery<T> | null {
  const acc = accessibleWhere<T>(ability, action, subjectName);
  if (acc === null) return null;
  const parts = [where, acc].filter((w) => w && Object.keys(w as object).length > 0);
  if (parts.length === 0) return {} as FilterQuery<T>;
  if (parts.length === 1) return parts[0] as FilterQuery<T>;
  return { $and: parts } as FilterQuery<T>;
}

/**
 * A plain object of an entity for in-memory rule matching: scalar properties as they are,
 * to-one relations as their primary key (so `{ assignee: 5 }` matches as it does in SQL).
 */
export function toSubject(subjectName: string, entity: AnyEntity): Record<string, unknown> {
  const w = wrap(entity, true);
  const meta = w.__meta;
  const out: Record<string, unknown> = {};
  for (const prop of meta.props) {
    const value = (entity as any)[prop.name];
    if (prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.EMBEDDED) out[prop.name] = value;
    else if (prop.kind === ReferenceKind.MANY_TO_ONE || (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner)) {
      out[prop.name] = value == null ? null : wrap(value, true).getPrimaryKey();
    }
  }
  return asSubject(subjectName, out) as Record<string, unknown>;
}

export function canOn(ability: AppAbility, action: string, subjectName: string, entity: AnyEntity, field?: string): boolean {
  return ability.can(action, toSubject(subjectName, entity) as any, field);
}


/**
 * Field rules for writes: refuses the whole write when it touches a field the user may not
 * change. The rule is checked on the entity field (`fieldOf(inputKey)`); the error names the
 * input key the client sent (`input.roleIds`).
 */
export function assertCanWriteInput(
  ability: AppAbility,
  action: string,
  subjectName: string,
  entity: AnyEntity | null,
  input: object,
  fieldOf: (inputKey: string) => string = (k) => k,
  inputPath = 'input',
): void {
  const target = entity ? toSubject(subjectName, entity) : subjectName;
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const field = fieldOf(key);
    if (!ability.can(action, target as any, field)) {
      throw new ForbiddenError(`You may not ${action} ${key} of ${subjectName}.`, { field: `${inputPath}.${key}` });
    }
  }
}


