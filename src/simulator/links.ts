import { isDeletable, type WalletDoc } from './wallet.js';

export interface Link {
  href: string;
  templated: boolean;
  type: string;
}

function link(href: string, type: string): Link {
  return { href, templated: false, type };
}

/** A link is present exactly when the action is available now, as Clumio's HATEOAS promises. */
export function walletLinks(id: string, doc: WalletDoc): Record<string, Link> {
  const self = `/wallets/${encodeURIComponent(id)}`;
  const links: Record<string, Link> = { _self: link(self, 'get') };
  if (isDeletable(doc)) links['delete-wallet'] = link(self, 'delete');
  // Clumio documents no keys endpoint; the href is a plausible guess that the simulator does not serve.
  if (doc.state === 'Enabled') links['list-wallet-keys'] = link(`${self}/keys`, 'get');
  links['refresh-wallet'] = link(`${self}/_refresh`, 'post');
  return links;
}

export function pageLink(limit: number, start: string): Link {
  return link(start === '' ? `/wallets?limit=${limit}` : `/wallets?limit=${limit}&start=${start}`, 'get');
}
