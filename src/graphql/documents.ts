import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import { hideSuggestions as hideSuggestionsIn } from './mask-error.js';

/**
 * The one document cache of the gateway, shared by both doors (the node:http door and Yoga's
 * parse and validate hooks): each query text is parsed (with a token limit) and validated
 * (the schema's rules, depth, alias and directive limits, introspection when it is off) once.
 *
 * Bounded in bytes, not entries: a parsed document with its locations weighs about fifty
 * times its text, so an entry is charged that; an invalid document keeps only its errors
 * (message, positions, the text they point into), never its syntax tree.
 */
export interface DocumentLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
}

export const defaultDocumentLimits: DocumentLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 2_000,
  maxDirectives: 20,
};

export interface DocumentStoreOptions {
  schema: GraphQLSchema;
  limits: DocumentLimits;
  /** Introspection queries are refused at validation when false. */
  introspection: boolean;
  /** Field suggestions ("Did you mean …?") reveal the schema; hidden when true (production). */
  hideSuggestions: boolean;
  /** What the cache may hold, in (estimated) bytes. */
  maxBytes: number;
}

/** A query text the gateway has read: its document, or the errors that refuse it. */
export type DocumentEntry = ValidDocument | RefusedDocument;

/** What an observer needs of an operation: its type and name. */
export type OperationSummary = Pick<OperationDefinitionNode, 'operation' | 'name'>;

export interface ValidDocument {
  readonly valid: true;
  readonly document: DocumentNode;
  /** The operation an `operationName` picks, as graphql-js picks it (null: none). */
  operation(operationName: string | undefined): OperationDefinitionNode | null;
}

export interface RefusedDocument {
  readonly valid: false;
  /** The operation an `operationName` picks, by type and name only (the tree is not kept). */
  operation(operationName: string | undefined): OperationSummary | null;
  /** Parse or validation errors, coded, with HTTP status 400 for graphql-response+json callers. */
  readonly errors: readonly GraphQLError[];
  /**
   * Where it was refused: `parse` (a syntax error or the token limit), `validation`, or
   * `request` (before its text was read: trusted-documents mode).
   */
  readonly stage: 'parse' | 'validation' | 'request';
}

export interface DocumentStore {
  read(query: string): DocumentEntry;
  /** Validates, uncached, a document that did not come from `read` (with the same rules). */
  check(document: DocumentNode): readonly GraphQLError[];
  /** What the cache holds now, in estimated bytes and entries (for tests and diagnostics). */
  readonly size: { bytes: number; entries: number };
}

// Measured with V8's heap on 4 KB documents: a parsed document with locations (and the tokens
// they keep) takes 49 bytes per character of its text.
const documentBytesPerChar = 50;
const errorBytes = 1024;

// Armor reports an exceeded limit as a syntax error out of validation; it is a validation error.
const asValidationError = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) => {
      const coded = new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
      if (context) context.reportError(coded);
      else throw coded;
    },
  ],
};

/** The error as the HTTP layer reports it: a stable code, 400 for graphql-response+json. */
function refusal(error: GraphQLError, code: string, hideSuggestions: boolean): GraphQLError {
  const message = hideSuggestions ? hideSuggestionsIn(error.message) : error.message;
  // Positions into the text instead of nodes of the tree: the tree is not kept.
  const refused = new GraphQLError(message, {
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    extensions: { ...error.extensions, code: error.extensions.code ?? code, http: { spec: true, status: 400 } },
  });
  // Until its stack is read, V8 keeps the frames' receivers alive (here the validation errors,
  // and through their nodes the whole tree and its tokens): read it once, as text.
  void refused.stack;
  return refused;
}

/** As graphql-js's getOperationAST: the only operation, or the one of that name; no name is kept. */
function operationPicker<T extends OperationSummary>(operations: readonly T[]): (operationName: string | undefined) => T | null {
  const only = operations.length === 1 ? operations[0]! : null;
  return (operationName) => (operationName === undefined ? only : (operations.find((o) => o.name?.value === operationName) ?? null));
}

function operationsOf(document: DocumentNode): OperationDefinitionNode[] {
  return document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
}

/** A request refused before its document is read (trusted-documents mode), as a document entry. */
export function refusedDocument(errors: readonly GraphQLError[]): RefusedDocument {
  return { valid: false, stage: 'request', errors, operation: () => null };
}

/** What Yoga answers when no operation of the document is picked (no name, or a name it lacks). */
export function operationResolutionError(): GraphQLError {
  return new GraphQLError('Could not determine what operation to execute.', {
    extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
  });
}

export function createDocumentStore(options: DocumentStoreOptions): DocumentStore {
  const { schema, limits, hideSuggestions } = options;
  const rules: ValidationRule[] = [
    ...specifiedRules,
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...asValidationError }),
    maxAliasesRule({ n: limits.maxAliases, ...asValidationError }),
    maxDirectivesRule({ n: limits.maxDirectives, ...asValidationError }),
    ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  const cache = new LRUCache<string, DocumentEntry>({
    maxSize: options.maxBytes,
    sizeCalculation: (entry, query) => (entry.valid ? query.length * documentBytesPerChar : query.length * 2 + entry.errors.length * errorBytes) || 1,
  });

  function check(document: DocumentNode): readonly GraphQLError[] {
    return validate(schema, document, rules).map((e) => refusal(e, 'GRAPHQL_VALIDATION_FAILED', hideSuggestions));
  }

  function parsed(query: string): DocumentEntry {
    let document: DocumentNode;
    try {
      document = new MaxTokensParserWLexer(query, { n: limits.maxTokens }).parseDocument();
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      return { valid: false, stage: 'parse', errors: [refusal(error, 'GRAPHQL_PARSE_FAILED', false)], operation: () => null };
    }
    const errors = check(document);
    if (errors.length > 0) {
      const summaries: OperationSummary[] = operationsOf(document).map(({ operation, name }) => ({ operation, ...(name ? { name: { kind: Kind.NAME, value: name.value } } : {}) }));
      return {
        valid: false,
        stage: 'validation',
        errors,
        operation: operationPicker<OperationSummary>(summaries),
      };
    }
    return { valid: true, document, operation: operationPicker(operationsOf(document)) };
  }

  return {
    check,
    read(query) {
      let entry = cache.get(query);
      if (entry === undefined) {
        entry = parsed(query);
        cache.set(query, entry);
      }
      return entry;
    },
    get size() {
      return { bytes: cache.calculatedSize, entries: cache.size };
    },
  };
}
