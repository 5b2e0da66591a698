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
 * The shape of an AWS region name: partition prefix, area, number (`us-west-2`, `us-gov-east-1`,
 * `eu-isoe-west-1`, `ap-southeast-7`). A shape, not a list, as Clumio's SDKs pass any string:
 * a region AWS opens later reaches Clumio, which decides whether it supports it.
 */
const awsRegionPattern = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]{2,12}-\d{1,2}$/;

export function isAwsRegionName(value: string): boolean {
  return awsRegionPattern.test(value);
}
