import { parse, type DocumentNode, type GraphQLError, type Source } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { DocumentStore } from '../documents.js';

/**
 * Yoga's parse and validation, answered from the gateway's document store (the node:http door
 * reads the same store), in place of Yoga's own caches (`parserAndValidationCache: false`) and
 * of armor's and the introspection plugin's hooks (their rules are the store's).
 */
export function useDocuments(store: DocumentStore): Plugin {
  const valid = new WeakSet<DocumentNode>();
  // An invalid document's tree is not kept: Yoga's validate step gets one parsed again for this
  // request, and the store's errors for it.
  const refused = new WeakMap<DocumentNode, readonly GraphQLError[]>();

  function parseFromStore(source: string | Source): DocumentNode {
    const query = typeof source === 'string' ? source : source.body;
    const entry = store.read(query);
    if (entry.valid) {
      valid.add(entry.document);
      return entry.document;
    }
    if (entry.syntax) throw entry.errors[0]!;
    const document = parse(query);
    refused.set(document, entry.errors);
    return document;
  }

  return {
    onParse({ setParseFn }) {
      setParseFn(parseFromStore);
    },
    onValidate({ params, setResult }) {
      const document = params.documentAST as DocumentNode;
      // A document that did not come from the store (none does today) is validated all the same.
      setResult(valid.has(document) ? [] : [...(refused.get(document) ?? store.check(document))]);
    },
  };
}
