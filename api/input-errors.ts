import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, visit, type DocumentNode, type OperationDefinitionNode, type ValueNode } from 'graphql';

/** The path of `variable` inside an argument value (`{ from: $f }` → `.from`), or null. */
function pathIn(value: ValueNode, variable: string): string | null {
  if (value.kind === Kind.VARIABLE) return value.name.value === variable ? '' : null;
  if (value.kind === Kind.OBJECT) {
    for (const f of value.fields) {
      const p = pathIn(f.value, variable);
      if (p !== null) return `.${f.name.value}${p}`;
    }
  }
  if (value.kind === Kind.LIST) {
    for (let i = 0; i < value.values.length; i++) {
      const p = pathIn(value.values[i], variable);
      if (p !== null) return `.${i}${p}`;
    }
  }
  return null;
}

/** Where the operation passes `$variable`: the argument path (`input`, `filter.closedAt`). */
export function argumentPathOf(document: DocumentNode | undefined, variable: string): string | null {
  if (!document) return null;
  let found: string | null = null;
  visit(document, {
    Argument(node) {
      if (found !== null) return false;
      const p = pathIn(node.value, variable);
      if (p !== null) found = `${node.name.value}${p}`;
      return undefined;
    },
  });
  return found;
}

/**
 * The field of a variable-coercion error (`Variable "$i" got invalid value "x" at "i.from"; ...`),
 * named as the argument it feeds (`input.from`), as every other BAD_USER_INPUT names it.
 */
export function fieldOfVariableError(message: string, document: DocumentNode | undefined): string | null {
  const m = /^Variable "\$(\w+)"(?: got invalid value [\s\S]*? at "([^"]+)";)?/.exec(message);
  if (!m) return null;
  const [, variable, at] = m;
  const rest = at ? at.slice(variable.length).replace(/\[(\d+)\]/g, '.$1') : '';
  const arg = argumentPathOf(document, variable);
  return `${arg ?? variable}${rest}`;
}

/** Names the field of GraphQL's own BAD_USER_INPUT errors (bad variables), for the HTTP API. */
export function namedInputErrors<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, document, operation }) {
          const doc: DocumentNode | undefined = document ?? (operation ? { kind: Kind.DOCUMENT, definitions: [operation as OperationDefinitionNode] } : undefined);
          for (const e of errors) {
            const ext = e.extensions as Record<string, unknown> | undefined;
            if (!ext || ext.code !== 'BAD_USER_INPUT' || ext.field) continue;
            const field = fieldOfVariableError(e.message, doc);
            if (field) ext.field = field;
          }
        },
      };
    },
  };
}
