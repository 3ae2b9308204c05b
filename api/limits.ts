import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import type { Config } from './config';

/**
 * Validation rules that reject abusive operations before any resolver runs; the same rules
 * guard HTTP (Apollo) and WebSocket (graphql-ws). Token counting happens at parse time
 * (`maxTokens`), where both transports pass the same limit.
 */
export function limitRules(config: Config): ValidationRule[] {
  const expose = config.NODE_ENV !== 'production';
  // Report, do not throw: a thrown error inside validation becomes an internal error.
  const report = {
    propagateOnRejection: false,
    onReject: [
      (ctx: ValidationContext | null, err: GraphQLError) => {
        ctx?.reportError(new GraphQLError(err.message, { nodes: err.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: true } }));
      },
    ],
  };
  return [
    maxDepthRule({ n: config.GRAPHQL_MAX_DEPTH, exposeLimits: true, flattenFragments: true, ...report }),
    maxAliasesRule({ n: config.GRAPHQL_MAX_ALIASES, exposeLimits: true, ...report }),
    maxDirectivesRule({ n: config.GRAPHQL_MAX_DIRECTIVES, exposeLimits: true, ...report }),
    costLimitRule({ maxCost: config.GRAPHQL_MAX_COST, exposeLimits: expose, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5, ...report }),
  ] as ValidationRule[];
}
