import { getOperationAST, type DocumentNode } from 'graphql';

/**
 * The manifest hash codegen puts on each typed document (`__meta__.hash`, `sha256:<hex>`): the key
 * of src/generated/client/persisted-documents.json.
 */
export function documentHash(document: unknown): string {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (hash === undefined) {
    throw new Error(`Not a generated trusted document: ${getOperationAST(document as DocumentNode)?.name?.value ?? '(anonymous)'}`);
  }
  return hash;
}

/** The same hash without its `sha256:` prefix: what Apollo's PersistedQueryLink and GraphQL-over-HTTP clients send. */
export function documentHex(document: unknown): string {
  return documentHash(document).replace(/^sha256:/, '');
}
