import { getNamedType, type GraphQLSchema } from 'graphql';
import { validate as classValidate } from 'class-validator';
import { buildSchema, type AuthChecker } from 'type-graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { canOn } from './ability';
import type { Context } from './context';
import { checkDates } from './dates';
import { BadInputError } from './errors';
import { validationIssues, type FieldIssue } from './validation';
import { resolvers } from '../modules/registry';

/**
 * Field rules on reads: fields marked `@Authorized()` resolve only when the viewer may read
 * that field of that very record (null otherwise); the rest of the record is unaffected.
 */
const fieldAuthChecker: AuthChecker<Context> = ({ root, context, info }) => {
  if (context.system) return true;
  if (!context.user) return false;
  // The subject is the record's entity class (GraphQL type names may differ).
  return canOn(context.ability, 'read', (root as object).constructor.name, root as object, info.fieldName);
};

/** class-validator on every input, reporting the argument path (`input.email`). */
async function validateArg(value: unknown, argType: unknown, data: { info: import('graphql').GraphQLResolveInfo; args: Record<string, unknown> }): Promise<void> {
  if (value === null || value === undefined) return;
  const typeName = (argType as { name?: string })?.name;
  const field = data.info.parentType.getFields()[data.info.fieldName];
  // The argument of this type; when several share the type (from, to), the one with this value.
  const candidates = field?.args.filter((a) => getNamedType(a.type).name === typeName) ?? [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const arg = (candidates.length > 1 ? (candidates.find((a) => same(data.args?.[a.name], value)) ?? candidates[0]) : candidates[0]) ?? field?.args.find((a) => same(data.args?.[a.name], value));
  const argName = arg?.name ?? 'input';
  // Dates and instants anywhere in the argument: within the years the API accepts.
  if (arg) checkDates(arg.type, data.args?.[arg.name], arg.name);
  if (typeof value !== 'object') return;
  const items = Array.isArray(value) ? value : [value];
  const issues: FieldIssue[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!item || typeof item !== 'object') continue;
    const prefix = Array.isArray(value) ? `${argName}.${i}` : argName;
    const nul = nulPath(item, prefix);
    if (nul) throw new BadInputError(nul, `${nul}: must not contain NUL characters`, 'INVALID_CHARACTERS');
    issues.push(...validationIssues(await classValidate(item as object, { forbidUnknownValues: false, skipMissingProperties: false }), prefix));
  }
  // Every refused field at once (`fields`), the first one also as `field` and in the message.
  const [first] = issues;
  if (first) throw new BadInputError(first.field, `${first.field}: ${first.message}`, first.reason, first.params, { fields: issues });
}

/** The path of the first string holding U+0000 (PostgreSQL cannot store it), or null. */
function nulPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = nulPath(v, `${path}.${k}`);
      if (found) return found;
    }
  }
  return null;
}

export async function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    validateFn: validateArg as never,
    authChecker: fieldAuthChecker,
    authMode: 'null',
    emitSchemaFile: false,
    // Subscriptions use their own `subscribe` (api/subscriptions.ts) fed by the EventBus;
    // type-graphql still insists on a PubSub being present.
    pubSub: createPubSub(),
  });
}
