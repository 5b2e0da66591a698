import type { Plugin } from 'graphql-yoga';
import type { TrustedDocumentsStep } from '../trusted-documents.js';

/** The trusted-documents step (src/graphql/trusted-documents.ts) as a Yoga plugin. */
export function useTrustedDocuments(trusted: TrustedDocumentsStep): Plugin {
  return {
    onParams({ params, request, setParams }) {
      setParams(trusted.operationParams(params, request));
    },
  };
}
