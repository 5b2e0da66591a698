/** Wallet ids the example tabs run with, e.g. the embedded simulator's seeded ones. */
export interface ExampleWalletIds {
  /** Read, refreshed and watched: an ENABLED wallet. */
  read: string;
  /** Deleted by the DeleteWallet tab: a WAITING wallet (Clumio refuses while a stack is installed). */
  deletable: string;
}

/** One GraphiQL tab: its document and the JSON of its variables. */
export interface ExampleTab {
  query: string;
  variables?: string;
}

/**
 * The first tab, where most people type their own query. Its operation is anonymous on purpose:
 * GraphiQL parses the editor 100 ms after a change, and a Ctrl-Enter sooner than that looks the
 * operation up at the cursor in the previous text (graphql/graphiql#1807); with a named example
 * here, a query typed or pasted over it and run at once was sent as that name and failed
 * ("Cannot infer operation Wallets"). An anonymous one leaves the name to the new text.
 */
export const firstTabQuery = `# Clumio wallet gateway. Press Ctrl-Enter to run; replace this with a query of your own.
# The other tabs hold one example each: Wallet, RefreshWallet, CreateWallet, DeleteWallet
# and WalletChanged. Your Clumio token goes in the Headers tab: {"Authorization": "Bearer <token>"}
{
  wallets(first: 10) {
    nodes {
      id state accountNativeId awsRegion
      actions { canRefresh canDelete }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;

const walletQuery = `# One wallet by id; null when it does not exist for this caller.
query Wallet($id: ID!) {
  wallet(id: $id) {
    id state rawState accountNativeId awsRegion
    errorCode errorMessage
    keyErrors { region errorCode errorMessage }
    installedRegions supportedRegions
    actions { canRefresh canDelete canListKeys }
  }
}
`;

const refreshQuery = `# Re-verifies a wallet with Clumio and returns it up to date.
mutation RefreshWallet($id: ID!) {
  refreshWallet(id: $id) {
    wallet { id state errorCode keyErrors { region errorCode } }
  }
}
`;

const createQuery = `# Creates a wallet: WAITING until its key stack is installed from deploymentUrl.
# A second run answers CONFLICT (one wallet per account and region): change the input.
mutation CreateWallet($input: CreateWalletInput!) {
  createWallet(input: $input) {
    wallet { id state accountNativeId awsRegion deploymentUrl token }
  }
}
`;

const deleteQuery = `# Deletes a wallet; refused (PRECONDITION_FAILED) while its key stack is installed.
mutation DeleteWallet($id: ID!) {
  deleteWallet(id: $id) { deletedWalletId }
}
`;

const watchQuery = `# The wallet now, then again each time it changes (server-sent events).
# Press the stop button to end it.
subscription WalletChanged($id: ID!) {
  walletChanged(id: $id) {
    id state errorCode installedRegions stackVersion
  }
}
`;

const PLACEHOLDER = '<a wallet id from the first tab>';

/** A new wallet's input that the embedded simulator's seed does not already have. */
const exampleCreateInput = { accountNativeId: '111122223333', awsRegion: 'eu-west-1' };

function variables(value: object): string {
  return JSON.stringify(value, null, 2);
}

/**
 * GraphiQL's tabs: the first for the user's own query, then one operation per tab, each with
 * its variables, runnable as shipped when `ids` are the embedded simulator's seeded wallets.
 */
export function exampleTabs(ids?: ExampleWalletIds): ExampleTab[] {
  const read = ids?.read ?? PLACEHOLDER;
  return [
    { query: firstTabQuery },
    { query: walletQuery, variables: variables({ id: read }) },
    { query: refreshQuery, variables: variables({ id: read }) },
    { query: createQuery, variables: variables({ input: exampleCreateInput }) },
    { query: deleteQuery, variables: variables({ id: ids?.deletable ?? PLACEHOLDER }) },
    { query: watchQuery, variables: variables({ id: read }) },
  ];
}

interface ListedWallet {
  id?: unknown;
  state?: unknown;
  installed_regions?: unknown;
}

/**
 * Picks the example ids from the simulator's own listing (`GET /wallets`, its demo token): the
 * first ENABLED wallet, and the first WAITING one with no stack installed. Undefined when the
 * seed has neither (e.g. a simulator started without its seed).
 */
export async function seededExampleIds(simulator: { url: string; demoToken: string }): Promise<ExampleWalletIds | undefined> {
  const response = await fetch(`${simulator.url}/wallets?limit=100`, {
    headers: { authorization: `Bearer ${simulator.demoToken}`, accept: 'application/api.clumio.wallets=v1+json' },
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) {
    await response.body?.cancel();
    return undefined;
  }
  const body = (await response.json()) as { _embedded?: { items?: ListedWallet[] } };
  const items = body._embedded?.items ?? [];
  const enabled = items.find((w) => w.state === 'Enabled');
  const waiting = items.find((w) => w.state === 'Waiting' && (!Array.isArray(w.installed_regions) || w.installed_regions.length === 0));
  if (typeof enabled?.id !== 'string' || typeof waiting?.id !== 'string') return undefined;
  return { read: enabled.id, deletable: waiting.id };
}
