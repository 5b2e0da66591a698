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

/** Clumio's five wallet operations; ids must already be validated (see wallet-id.ts). */
export function createWalletsApi(client: ClumioClient) {
  return {
    get(scope: CallScope, id: string): Promise<Wallet> {
      // Not async (no frame per call): the id is valid, so nothing here throws before the call.
      return client.send({ operation: 'getWallet', method: 'GET', path: walletPath(id), ...scope }).then(walletOf);
    },

    async list(scope: CallScope, page: { limit: number; start: string }): Promise<WalletPage> {
      const query = new URLSearchParams({ limit: String(page.limit), start: page.start });
      const response = await client.send({ operation: 'listWallets', method: 'GET', path: `/wallets?${query}`, ...scope });
      return toWalletPage(response.takeBody(), page.start, page.limit);
    },

    async create(scope: CallScope, input: CreateWalletRequest): Promise<Wallet> {
      const body = { account_native_id: input.accountNativeId, ...(input.awsRegion ? { aws_region: input.awsRegion } : {}) };
      const response = await client.send({ operation: 'createWallet', method: 'POST', path: '/wallets', body, ...scope });
      return toWallet(response.takeBody());
    },

    async delete(scope: CallScope, id: string): Promise<void> {
      await client.send({ operation: 'deleteWallet', method: 'DELETE', path: walletPath(id), readsBody: false, ...scope });
    },

    async refresh(scope: CallScope, id: string): Promise<Wallet> {
      const response = await client.send({ operation: 'refreshWallet', method: 'POST', path: walletPath(id, '/_refresh'), ...scope });
      return toWallet(response.takeBody());
    },
  };
}

export type WalletsApi = ReturnType<typeof createWalletsApi>;
