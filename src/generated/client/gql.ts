/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation CreateWallet($input: CreateWalletInput!) {\n  createWallet(input: $input) {\n    wallet {\n      ...WalletDetails\n    }\n  }\n}": typeof types.CreateWalletDocument,
    "mutation DeleteWallet($id: ID!) {\n  deleteWallet(id: $id) {\n    deletedWalletId\n  }\n}": typeof types.DeleteWalletDocument,
    "mutation RefreshWallet($id: ID!) {\n  refreshWallet(id: $id) {\n    wallet {\n      ...WalletDetails\n    }\n  }\n}": typeof types.RefreshWalletDocument,
    "query Wallet($id: ID!) {\n  wallet(id: $id) {\n    ...WalletDetails\n  }\n}": typeof types.WalletDocument,
    "fragment WalletDetails on Wallet {\n  id\n  state\n  rawState\n  accountNativeId\n  awsRegion\n  awsAccount {\n    id\n  }\n  availableVersion\n  stackVersion\n  clumioAwsAccountId\n  errorCode\n  errorMessage\n  keyErrors {\n    region\n    errorCode\n    errorMessage\n  }\n  deploymentUrl\n  templateUrl\n  token\n  roleArn\n  installedRegions\n  supportedRegions\n  actions {\n    canRefresh\n    canDelete\n    canListKeys\n  }\n  links {\n    rel\n    href\n    method\n    templated\n  }\n}": typeof types.WalletDetailsFragmentDoc,
    "query Wallets($first: Int = 25, $after: String) {\n  wallets(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        state\n        accountNativeId\n        awsRegion\n        errorCode\n        actions {\n          canRefresh\n          canDelete\n          canListKeys\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.WalletsDocument,
    "subscription WatchWallet($id: ID!) {\n  walletChanged(id: $id) {\n    ...WalletDetails\n  }\n}": typeof types.WatchWalletDocument,
};
const documents: Documents = {
    "mutation CreateWallet($input: CreateWalletInput!) {\n  createWallet(input: $input) {\n    wallet {\n      ...WalletDetails\n    }\n  }\n}": types.CreateWalletDocument,
    "mutation DeleteWallet($id: ID!) {\n  deleteWallet(id: $id) {\n    deletedWalletId\n  }\n}": types.DeleteWalletDocument,
    "mutation RefreshWallet($id: ID!) {\n  refreshWallet(id: $id) {\n    wallet {\n      ...WalletDetails\n    }\n  }\n}": types.RefreshWalletDocument,
    "query Wallet($id: ID!) {\n  wallet(id: $id) {\n    ...WalletDetails\n  }\n}": types.WalletDocument,
    "fragment WalletDetails on Wallet {\n  id\n  state\n  rawState\n  accountNativeId\n  awsRegion\n  awsAccount {\n    id\n  }\n  availableVersion\n  stackVersion\n  clumioAwsAccountId\n  errorCode\n  errorMessage\n  keyErrors {\n    region\n    errorCode\n    errorMessage\n  }\n  deploymentUrl\n  templateUrl\n  token\n  roleArn\n  installedRegions\n  supportedRegions\n  actions {\n    canRefresh\n    canDelete\n    canListKeys\n  }\n  links {\n    rel\n    href\n    method\n    templated\n  }\n}": types.WalletDetailsFragmentDoc,
    "query Wallets($first: Int = 25, $after: String) {\n  wallets(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        state\n        accountNativeId\n        awsRegion\n        errorCode\n        actions {\n          canRefresh\n          canDelete\n          canListKeys\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.WalletsDocument,
    "subscription WatchWallet($id: ID!) {\n  walletChanged(id: $id) {\n    ...WalletDetails\n  }\n}": types.WatchWalletDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateWallet($input: CreateWalletInput!) {\n  createWallet(input: $input) {\n    wallet {\n      ...WalletDetails\n    }\n  }\n}"): (typeof documents)["mutation CreateWallet($input: CreateWalletInput!) {\n  createWallet(input: $input) {\n    wallet {\n      ...WalletDetails\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeleteWallet($id: ID!) {\n  deleteWallet(id: $id) {\n    deletedWalletId\n  }\n}"): (typeof documents)["mutation DeleteWallet($id: ID!) {\n  deleteWallet(id: $id) {\n    deletedWalletId\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RefreshWallet($id: ID!) {\n  refreshWallet(id: $id) {\n    wallet {\n      ...WalletDetails\n    }\n  }\n}"): (typeof documents)["mutation RefreshWallet($id: ID!) {\n  refreshWallet(id: $id) {\n    wallet {\n      ...WalletDetails\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Wallet($id: ID!) {\n  wallet(id: $id) {\n    ...WalletDetails\n  }\n}"): (typeof documents)["query Wallet($id: ID!) {\n  wallet(id: $id) {\n    ...WalletDetails\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment WalletDetails on Wallet {\n  id\n  state\n  rawState\n  accountNativeId\n  awsRegion\n  awsAccount {\n    id\n  }\n  availableVersion\n  stackVersion\n  clumioAwsAccountId\n  errorCode\n  errorMessage\n  keyErrors {\n    region\n    errorCode\n    errorMessage\n  }\n  deploymentUrl\n  templateUrl\n  token\n  roleArn\n  installedRegions\n  supportedRegions\n  actions {\n    canRefresh\n    canDelete\n    canListKeys\n  }\n  links {\n    rel\n    href\n    method\n    templated\n  }\n}"): (typeof documents)["fragment WalletDetails on Wallet {\n  id\n  state\n  rawState\n  accountNativeId\n  awsRegion\n  awsAccount {\n    id\n  }\n  availableVersion\n  stackVersion\n  clumioAwsAccountId\n  errorCode\n  errorMessage\n  keyErrors {\n    region\n    errorCode\n    errorMessage\n  }\n  deploymentUrl\n  templateUrl\n  token\n  roleArn\n  installedRegions\n  supportedRegions\n  actions {\n    canRefresh\n    canDelete\n    canListKeys\n  }\n  links {\n    rel\n    href\n    method\n    templated\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Wallets($first: Int = 25, $after: String) {\n  wallets(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        state\n        accountNativeId\n        awsRegion\n        errorCode\n        actions {\n          canRefresh\n          canDelete\n          canListKeys\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query Wallets($first: Int = 25, $after: String) {\n  wallets(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        state\n        accountNativeId\n        awsRegion\n        errorCode\n        actions {\n          canRefresh\n          canDelete\n          canListKeys\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription WatchWallet($id: ID!) {\n  walletChanged(id: $id) {\n    ...WalletDetails\n  }\n}"): (typeof documents)["subscription WatchWallet($id: ID!) {\n  walletChanged(id: $id) {\n    ...WalletDetails\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;