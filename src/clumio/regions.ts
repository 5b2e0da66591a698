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

/**
 * AWS commercial and GovCloud regions a wallet may be created in. A list, not a pattern, so
 * a typo (`us-west-3`) is refused before any call; a region AWS opens later is added here.
 */
const awsRegions = new Set([
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1',
  'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5',
  'ap-southeast-6', 'ap-southeast-7', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-north-1',
  'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1',
  'mx-central-1', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-gov-east-1', 'us-gov-west-1', 'us-west-1', 'us-west-2',
]);

export function isAwsRegion(value: string): boolean {
  return awsRegions.has(value);
}
