import { isAwsRegionName } from '../../clumio/regions.js';
import type { MutationResolvers } from '../../generated/resolvers-types.js';
import { badUserInput } from '../errors.js';

const accountIdPattern = /^\d{12}$/;

export const Mutation: MutationResolvers = {
  async refreshWallet(_parent, { id }, { wallets }) {
    return { wallet: await wallets.refresh(id) };
  },

  async createWallet(_parent, { input }, { wallets }) {
    if (!accountIdPattern.test(input.accountNativeId)) {
      throw badUserInput('`accountNativeId` must be a 12-digit AWS account id.', 'input.accountNativeId');
    }
    if (input.awsRegion != null && !isAwsRegionName(input.awsRegion)) {
      throw badUserInput('`awsRegion` must be an AWS region name such as us-west-2.', 'input.awsRegion');
    }
    return { wallet: await wallets.create({ accountNativeId: input.accountNativeId, awsRegion: input.awsRegion ?? null }) };
  },

  async deleteWallet(_parent, { id }, { wallets }) {
    await wallets.delete(id);
    return { deletedWalletId: id };
  },
};
