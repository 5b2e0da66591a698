import type { ClumioClient } from './client.js';
import type { Cancellation } from '../request/deadline.js';
import type { CallerCredentials, ClumioResponse } from './request.js';
import { toWallet, toWalletPage, type Wallet, type WalletPage } from './wallet.js';
import { walletPath } from './wallet-id.js';

/** What every wallet call needs besides its own arguments. */
export interface CallScope {
  caller: CallerCredentials;
  headers?: Record<string, string>;
  cancellation?: Cancellation;
}

export interface CreateWalletRequest {
  accountNativeId: string;
  awsRegion?: string | null;
}

const walletOf = (response: ClumioResponse): Wallet => toWallet(response.takeBody());
const nothing = (): void => undefined;

/**
 * Clumio's five wallet operations; ids must already be validated (see wallet-id.ts). Each hands
 * the client its reader of the answer, which the call runs as it settles: no promise of its own.
 */
export function createWalletsApi(client: ClumioClient) {
  return {
    get(scope: CallScope, id: string): Promise<Wallet> {
      return client.send({ operation: 'getWallet', method: 'GET', path: walletPath(id), ...scope }, walletOf);
    },

    list(scope: CallScope, page: { limit: number; start: string }): Promise<WalletPage> {
      const query = new URLSearchParams({ limit: String(page.limit), start: page.start });
      return client.send({ operation: 'listWallets', method: 'GET', path: `/wallets?${query}`, ...scope }, (response) => toWalletPage(response.takeBody(), page.start, page.limit));
    },

    create(scope: CallScope, input: CreateWalletRequest): Promise<Wallet> {
      const body = { account_native_id: input.accountNativeId, ...(input.awsRegion ? { aws_region: input.awsRegion } : {}) };
      return client.send({ operation: 'createWallet', method: 'POST', path: '/wallets', body, ...scope }, walletOf);
    },

    delete(scope: CallScope, id: string): Promise<void> {
      return client.send({ operation: 'deleteWallet', method: 'DELETE', path: walletPath(id), readsBody: false, ...scope }, nothing);
    },

    refresh(scope: CallScope, id: string): Promise<Wallet> {
      return client.send({ operation: 'refreshWallet', method: 'POST', path: walletPath(id, '/_refresh'), ...scope }, walletOf);
    },
  };
}

export type WalletsApi = ReturnType<typeof createWalletsApi>;
