import type { Wallet } from './store.js';
import type { BreakDetails } from './types.js';
import { breakDoc, enableDoc, uninstallDoc } from './wallet.js';

const INSTALL = { kind: 'install' } as const;

/**
 * Brings a wallet up to date with what happened on the customer's side. An installed stack is
 * noticed by any look (read, list, refresh); a broken key only by a refresh, which is the call that
 * re-verifies access.
 */
export function settle(wallet: Wallet, refresh: boolean, autoInstallAfterMs: number | undefined): void {
  if (
    autoInstallAfterMs !== undefined &&
    wallet.pending === undefined &&
    !wallet.raw &&
    wallet.doc.state === 'Waiting' &&
    Date.now() - wallet.createdAt >= autoInstallAfterMs
  ) {
    wallet.pending = INSTALL;
  }
  const pending = wallet.pending;
  if (pending === undefined) return;
  if (pending.kind === 'install') enableDoc(wallet.doc);
  else if (refresh) breakDoc(wallet.doc, pending.details);
  else return;
  wallet.pending = undefined;
  wallet.json = undefined;
}

/**
 * What the BYOK module's post-processing reports, applied at once: its stack was created
 * (in `region`, with the role `roleArn` when given) or deleted.
 */
export function reportStack(wallet: Wallet, report: { installed: true; region?: string; roleArn?: string } | { installed: false }): void {
  if (report.installed) {
    const installed = wallet.doc.installed_regions;
    if (report.region && !(Array.isArray(installed) && installed.length > 0)) wallet.doc.installed_regions = [report.region];
    if (report.roleArn) wallet.doc.role_arn = report.roleArn;
    enableDoc(wallet.doc);
  } else {
    uninstallDoc(wallet.doc);
  }
  wallet.pending = undefined;
  wallet.json = undefined;
}

export function installStack(wallet: Wallet): void {
  wallet.pending = INSTALL;
}

export function breakWallet(wallet: Wallet, details: BreakDetails | undefined): void {
  wallet.pending = { kind: 'break', details };
}
