/*
 * How long a policy document will be once deployed, for IAM's quota of 10,240 characters of inline policies per role
 * (whitespace not counted). A value known only at deploy time is counted at a typical length: an estimate.
 */

/** IAM's quota of inline policy characters per role. */
export const ROLE_INLINE_POLICY_QUOTA = 10_240;

/** The length of a value known only at deploy time, such as a resource's ARN: a typical one. */
const DEPLOY_TIME_VALUE_LENGTH = 64;

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'ap-southeast-2',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** The estimated length of `document`, a resolved policy document, as IAM counts it. */
export function estimatedPolicyLength(document: unknown): number {
  return JSON.stringify(deployed(document)).length;
}

function deployed(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(deployed);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const entries = Object.entries(value);
  if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
    const [intrinsic, argument] = entries[0];
    if (intrinsic === 'Ref' && typeof argument === 'string' && PSEUDO_PARAMETERS[argument] !== undefined) {
      return PSEUDO_PARAMETERS[argument];
    }
    if (intrinsic === 'Fn::Join' && Array.isArray(argument) && Array.isArray(argument[1])) {
      return argument[1].map((part: unknown) => String(deployed(part))).join(String(argument[0]));
    }
    return 'x'.repeat(DEPLOY_TIME_VALUE_LENGTH);
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, deployed(item)]));
}
