import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface ArmorLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  /** Field suggestions ("Did you mean …?") reveal the schema; off in production. */
  blockFieldSuggestions: boolean;
}

export const defaultArmorLimits: Omit<ArmorLimits, 'blockFieldSuggestions'> = {
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 2_000,
  maxDirectives: 20,
};

// Armor throws a code-less "Syntax Error: …" out of validation; report it as the validation error
// it is instead, with a stable code (and HTTP 400 for graphql-response+json callers).
const asValidationError = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) => {
      const message = error.message.replace(/^Syntax Error: /, '');
      const coded = new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
      if (context) context.reportError(coded);
      else throw coded;
    },
  ],
};

/** Document limits checked at validation, before any resolver runs or upstream call is made. */
export function useArmor(limits: ArmorLimits): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...asValidationError },
    maxAliases: { n: limits.maxAliases, ...asValidationError },
    maxTokens: { n: limits.maxTokens },
    maxDirectives: { n: limits.maxDirectives, ...asValidationError },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: limits.blockFieldSuggestions },
  }) as Plugin;
}
