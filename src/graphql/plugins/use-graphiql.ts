import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

/** What GraphiQL opens with, beyond the example operations. */
export interface GraphiQLDefaults {
  /** Prefilled in the header editor, e.g. the embedded simulator's demo token in development. */
  headers?: Record<string, string>;
}

/** The first tab of a fresh GraphiQL: one operation per common task, run with the cursor inside it. */
export const exampleOperations = `# Clumio wallet gateway: put the cursor in an operation
# and press Ctrl-Enter to run it. Your Clumio token goes in
# the Headers tab: {"Authorization": "Bearer <token>"}

query Wallets($after: String) {
  wallets(first: 10, after: $after) {
    nodes {
      id state accountNativeId awsRegion
      actions { canRefresh canDelete }
    }
    pageInfo { hasNextPage endCursor }
  }
}

query Wallet($id: ID! = "<a wallet id from Wallets>") {
  wallet(id: $id) {
    id state rawState accountNativeId awsRegion
    errorCode errorMessage
    keyErrors { region errorCode errorMessage }
    installedRegions supportedRegions
    actions { canRefresh canDelete canListKeys }
  }
}

mutation RefreshWallet($id: ID! = "<a wallet id from Wallets>") {
  refreshWallet(id: $id) {
    wallet { id state errorCode keyErrors { region errorCode } }
  }
}
`;

/** GraphiQL's options: the example operations, and the given headers prefilled. */
export function graphiqlOptions(defaults: GraphiQLDefaults = {}): GraphiQLOptions {
  const headers = defaults.headers ? JSON.stringify(defaults.headers, null, 2) : undefined;
  return {
    title: 'Clumio wallet gateway',
    defaultQuery: exampleOperations,
    ...(headers ? { headers, defaultHeaders: headers, defaultEditorToolsVisibility: 'headers' as const } : {}),
    // Tokens stay out of the browser's storage unless the user chooses otherwise.
    shouldPersistHeaders: false,
  };
}

/**
 * Yoga's GraphiQL options, served from the gateway itself: the whole of GraphiQL (script, styles,
 * editor workers) is inlined in the page, so it needs no CDN and works on networks that reach none.
 * The page is about 9 MB, so it is rendered once and the same bytes are sent on every request.
 */
export function graphiqlServing(
  enabled: boolean,
  defaults: GraphiQLDefaults = {},
): { graphiql: GraphiQLOptions | false; renderGraphiQL?: (options: GraphiQLOptions) => Uint8Array<ArrayBuffer> } {
  if (!enabled) return { graphiql: false };
  let page: { key: string; body: Uint8Array<ArrayBuffer> } | undefined;
  return {
    graphiql: graphiqlOptions(defaults),
    renderGraphiQL(options) {
      const key = JSON.stringify(options);
      if (page?.key !== key) page = { key, body: new TextEncoder().encode(renderGraphiQL(options)) };
      return page.body;
    },
  };
}
