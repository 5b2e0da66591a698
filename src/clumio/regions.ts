/** Clumio's regional API base URLs (the Terraform provider's table). */
export const clumioRegions = {
  'us-west-2': 'https://us-west-2.api.clumio.com',
  'us-east-1': 'https://us-east-1.api.clumio.com',
  'ca-central-1': 'https://ca-central-1.ca.api.clumio.com',
  'eu-central-1': 'https://eu-central-1.de.api.clumio.com',
  'ap-southeast-2': 'https://ap-southeast-2.au.api.clumio.com',
} as const;

export type ClumioRegion = keyof typeof clumioRegions;

export function isClumioRegion(value: string): value is ClumioRegion {
  return Object.hasOwn(clumioRegions, value);
}

/** AWS commercial and GovCloud region names a wallet may be created in. */
export const awsRegionPattern = /^(?:us|eu|ap|ca|sa|me|af|il|mx|us-gov)-[a-z]+-\d$/;
