import type { Plugin } from 'graphql-yoga';
import type { TrustedDocumentsStep } from '../trusted-documents.js';

/** The trusted-documents step (src/graphql/trusted-documents.ts) as a Yoga plugin. */
export function useTrustedDocuments(trusted: TrustedDocumentsStep): Plugin {
  return {
    onParams({ params, request, setParams }) {
      const query = trusted.queryFor(params as never, request);
      // Only the parameters of an operation go on (not `documentId`).
      setParams({ query, operationName: params.operationName, variables: params.variables, extensions: params.extensions });
    },
  };
}
