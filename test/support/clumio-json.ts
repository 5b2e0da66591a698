// Clumio's wallet answers as they travel (snake_case), in the shapes the simulator sends: what the
// simulator's tests read from its bodies.

/** One HAL link of a wallet or a page. */
interface ClumioLink {
  href: string;
  templated: boolean;
  type: string;
}

/** A wallet as Clumio sends it. */
export interface ClumioWallet {
  id: string;
  account_native_id: string;
  aws_region: string;
  clumio_aws_account_id: string | null;
  state: string;
  error_code: string | null;
  error_message: string | null;
  key_errors: Record<string, { error_code: string; error_message: string }>;
  installed_regions: string[];
  supported_regions: string[];
  available_version: number | null;
  stack_version: number | null;
  deployment_url: string;
  template_url: string;
  role_arn: string | null;
  token: string;
  /** Empty on the wallets the simulator makes. */
  _embedded?: Record<string, unknown>;
  /** `_self` always; the actions the wallet's state allows (`delete-wallet`, `refresh-wallet`, ...). */
  _links: { _self: ClumioLink; [rel: string]: ClumioLink | undefined };
}

/** One page of `GET /wallets`. */
export interface ClumioWalletPage {
  current_count: number;
  limit: number;
  start: string;
  _embedded: { items: ClumioWallet[] };
  _links: { _self: ClumioLink; _first: ClumioLink; _last: ClumioLink; _next?: ClumioLink; _prev?: ClumioLink };
}

/** Clumio's error envelope. */
export interface ClumioErrors {
  errors: Array<{ error_code: number; error_message: string }>;
}
