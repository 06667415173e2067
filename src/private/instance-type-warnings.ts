import { Annotations, Stack, Token } from 'aws-cdk-lib';
import { aws_kms as kmsRefs } from 'aws-cdk-lib/interfaces';
import { IConstruct } from 'constructs';
import { hasLocalStorage, isInferentia1 } from './instance-facts';
import { PRICE_LIST_REGION_COUNT, PRICE_LIST_SOURCE, regionsOffering, typesOfferedIn } from './instance-offers';
import { ShadowModeSpec } from './shadow-test-specs';
import { INF1_INSTANCE_TYPE, INSTANCE_TYPE_NOT_OFFERED_IN_REGION, VOLUME_KEY_WITH_LOCAL_STORAGE } from './warnings';

/**
 * Warns `experiment` of the instance types of its variants that SageMaker is known to refuse for the test: Inf1, a
 * volume key on instances with local storage, a type that the experiment's region does not offer.
 *
 * `isKnownInstanceType` says whether a type is one of the library's `InstanceType` constants, for the message about a
 * type that no region offers.
 */
export function warnOfInstanceTypes(
  experiment: IConstruct,
  props: { readonly shadowMode: ShadowModeSpec; readonly volumeEncryptionKey?: kmsRefs.IKeyRef },
  isKnownInstanceType: (name: string) => boolean,
): void {
  // SageMaker's price list, as cfn-lint ships it, says which instance types each region offers for real-time
  // inference. It is read only for a region given as a literal that the price list covers: nothing is guessed for an
  // env-agnostic stack, whose region is a token, nor for another region. A warning, not an error: the price list
  // lags SageMaker's launches and has retired types in no region, SageMaker's API accepts types of both kinds, and
  // `InstanceType.of()` stays the way to name a type that the library does not know. The templates that conclude
  // the test (`promoteShadow()`, `keepProduction()`, `cancel()`) use one of these two variants' instance types, so
  // checking both covers them. The lookup is a set per region, built once.
  const region = Stack.of(experiment).region;
  const offered = Token.isUnresolved(region) ? undefined : typesOfferedIn(region);
  for (const [role, variant] of [['production', props.shadowMode.production], ['shadow', props.shadowMode.shadow]] as const) {
    const instanceType = variant.instanceType.name;
    if (isInferentia1(instanceType)) {
      Annotations.of(experiment).addWarningV2(INF1_INSTANCE_TYPE,
        `The ${role} variant uses ${instanceType}: shadow tests exclude Inf1 (Inferentia 1) instances, and SageMaker ` +
        'rejects the test. Use another instance type, such as an Inf2 one.');
    }
    if (props.volumeEncryptionKey && hasLocalStorage(instanceType)) {
      Annotations.of(experiment).addWarningV2(VOLUME_KEY_WITH_LOCAL_STORAGE,
        `The ${role} variant uses ${instanceType}, which has local NVMe storage encrypted by the instance's hardware: ` +
        'SageMaker refuses a volume KMS key for it when the test deploys the variants. Remove volumeEncryptionKey, ' +
        'or use an instance type without local storage.');
    }
    if (offered !== undefined && !Token.isUnresolved(instanceType) && !offered.has(instanceType)) {
      const regions = regionsOffering(instanceType);
      const known = isKnownInstanceType(instanceType);
      const where = regions.length > 0
        ? `which the SageMaker price list does not offer for real-time inference in ${region} (${PRICE_LIST_SOURCE} ` +
          `data); it offers it in ${regions.length} of its ${PRICE_LIST_REGION_COUNT} regions: ${regions.join(', ')}`
        : known
          ? `which the SageMaker price list offers for real-time inference in none of its ${PRICE_LIST_REGION_COUNT} ` +
            `regions (${PRICE_LIST_SOURCE} data): it may be retired, or newer than the price list`
          : `which the SageMaker price list offers for real-time inference in none of its ${PRICE_LIST_REGION_COUNT} ` +
            `regions (${PRICE_LIST_SOURCE} data), and which is not among the instance types that this library knows: ` +
            'it may be newer than both, or misspelled';
      Annotations.of(experiment).addWarningV2(INSTANCE_TYPE_NOT_OFFERED_IN_REGION,
        `The ${role} variant uses ${instanceType}, ${where}. Use an instance type that ${region} offers; or, if you ` +
        `know that SageMaker offers ${instanceType} in ${region} (the price list lags launches), keep it, acknowledge ` +
        'this warning and, with an aws-cdk-lib that validates templates itself (2.262.0 and later), its finding E3642 too: ' +
        `Validations.of(experiment).acknowledge({ id: 'CloudFormation-Validate::E3642', reason: 'SageMaker offers ${instanceType} ` +
        `in ${region}' }).`);
    }
  }
}
