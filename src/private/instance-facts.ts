import { Token } from 'aws-cdk-lib';

/*
 * Facts about instance families that decide whether SageMaker accepts a shadow test's configuration.
 */

/**
 * Families, among those that shadow tests accept, whose instances have local NVMe instance store volumes (the EC2
 * instance store table; g7 and g7e from instance tables published since). Their volumes are encrypted by the
 * instance's hardware, and CreateEndpointConfig fails when a KmsKeyId is given for them.
 */
const LOCAL_STORAGE_FAMILIES = new Set([
  'c5d', 'c6gd', 'm5d', 'm6gd', 'r5d', 'r6gd', 'r7gd',
  'g4dn', 'g5', 'g6', 'g6e', 'g7', 'g7e', 'p4d', 'p4de', 'p5', 'p5e', 'p5en', 'p6-b200', 'p6-b300', 'p6e-gb200',
  'dl1', 'trn1', 'trn1n', 'trn2',
]);

/** Inferentia 1 families, which shadow tests exclude. */
const INFERENTIA_1_FAMILIES = new Set(['inf1']);

/** The family of an instance type name: `ml.g4dn.xlarge` is of family `g4dn`. */
export function familyOf(instanceType: string): string | undefined {
  if (Token.isUnresolved(instanceType)) {
    return undefined;
  }
  return /^ml\.([^.]+)\./.exec(instanceType)?.[1];
}

export function hasLocalStorage(instanceType: string): boolean {
  return LOCAL_STORAGE_FAMILIES.has(familyOf(instanceType) ?? '');
}

export function isInferentia1(instanceType: string): boolean {
  return INFERENTIA_1_FAMILIES.has(familyOf(instanceType) ?? '');
}

/** Every family named above, so that a test can check each against the instance types SageMaker accepts. */
export const KNOWN_FAMILIES = [...LOCAL_STORAGE_FAMILIES, ...INFERENTIA_1_FAMILIES];
