import { aws_sagemaker as sagemaker, IResolvable, Token, Tokenization } from 'aws-cdk-lib';
import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { IConstruct } from 'constructs';
import { l1Of, resourceNamedBy } from './app-resources';
import { isInferentia1 } from './instance-facts';
import { modelNameOf } from './resource-names';
import { ProblemCollector } from './validation';
import { PRODUCTION_INSTANCES_DIFFER, PRODUCTION_MODEL_DIFFERS } from './warnings';
import { ModelVariant } from '../model-variant';
import { ShadowModeConfig } from '../shadow-mode-config';

/*
 * What SageMaker checks when a shadow test starts, checked at synth wherever the app defines the endpoint's
 * configuration and the models: the kinds of endpoints and models that shadow tests exclude, and the variants that
 * the test names.
 */

type ProductionVariant = sagemaker.CfnEndpointConfig.ProductionVariantProperty;
type ContainerDefinition = sagemaker.CfnModel.ContainerDefinitionProperty;

/** A warning to add: its stable id and its message. */
export interface EndpointWarning {
  readonly id: string;
  readonly message: string;
}

/** `value`, or undefined when it is a token whose content is known only at deploy time. */
function known<T>(value: T | IResolvable | undefined): T | undefined {
  return value === undefined || Tokenization.isResolvable(value) || Token.isUnresolved(value) ? undefined : value as T;
}

/** The items of a list of which every item is known; undefined when the list or any item is a token. */
function knownItems<T>(list: Array<T | IResolvable> | IResolvable | undefined): T[] | undefined {
  const items = known(list);
  if (items === undefined) {
    return undefined;
  }
  const knownOnes = items.map((item) => known(item));
  return knownOnes.every((item) => item !== undefined) ? knownOnes as T[] : undefined;
}

const literal = (value: string | undefined) => (value === undefined || Token.isUnresolved(value) ? undefined : value);

/**
 * Checks the variants' models when the app defines them: shadow tests exclude multi-model and multi-container models.
 */
export function checkVariantModels(problems: ProblemCollector, shadowMode: ShadowModeConfig): void {
  for (const [role, variant] of [['production', shadowMode.production], ['shadow', shadowMode.shadow]] as const) {
    const model = l1Of(variant.model, sagemaker.CfnModel.isCfnModel);
    const excluded = model && excludedModelKind(model);
    if (excluded !== undefined) {
      problems.addDescribed(`shadowMode.${role}.model`, `'${model!.node.path}', ${excluded}`,
        'shadow tests exclude multi-model and multi-container models. Host the model in a single container ' +
        '(primaryContainer, without mode: MultiModel)');
    }
  }
}

/** Why shadow tests exclude `model`, or undefined when they do not (or it cannot be known). */
function excludedModelKind(model: sagemaker.CfnModel): string | undefined {
  const containers = knownItems<ContainerDefinition>(model.containers);
  if (containers !== undefined && containers.length > 1) {
    return `a multi-container model (${containers.length} containers)`;
  }
  const definitions = [known<ContainerDefinition>(model.primaryContainer), ...(containers ?? [])];
  if (definitions.some((container) => container?.mode === 'MultiModel')) {
    return 'a multi-model model (mode: MultiModel)';
  }
  return undefined;
}

/**
 * Checks the endpoint's configuration when the app defines it: the endpoint must be of a kind that shadow tests
 * accept, host exactly one production variant, the test's production variant, and no variant of the shadow's name.
 * Returns the warnings for what SageMaker accepts but users do not expect.
 */
export function checkEndpointConfiguration(
  problems: ProblemCollector, endpoint: sagemakerRefs.IEndpointRef, shadowMode: ShadowModeConfig,
): EndpointWarning[] {
  const cfnEndpoint = l1Of(endpoint, sagemaker.CfnEndpoint.isCfnEndpoint);
  const config = cfnEndpoint && resourceNamedBy(cfnEndpoint.endpointConfigName, cfnEndpoint,
    sagemaker.CfnEndpointConfig.isCfnEndpointConfig, (c) => c.endpointConfigName);
  if (config === undefined) {
    return [];
  }
  const subject = `the endpoint configuration '${config.node.path}'`;
  const excluded = (why: string, change: string) => problems.addDescribed('endpoint', `${subject}, ${why}`,
    `shadow tests exclude such endpoints. ${change}`);

  if (known(config.asyncInferenceConfig) !== undefined) {
    excluded('which has an asyncInferenceConfig (asynchronous inference)', 'Run the test on a real-time endpoint');
  }
  const shadowVariants = known(config.shadowProductionVariants);
  if (shadowVariants !== undefined && shadowVariants.length > 0) {
    excluded('which has shadowProductionVariants already', 'Remove them: the test deploys its own shadow variant');
  }
  const variants = knownItems<ProductionVariant>(config.productionVariants);
  if (variants === undefined) {
    return [];
  }
  if (variants.length !== 1) {
    excluded(`which has ${variants.length} production variants`,
      'An endpoint with a shadow variant has exactly one production variant: give the configuration only the ' +
      'test\'s production variant');
  }
  for (const variant of variants) {
    const name = literal(variant.variantName) ?? 'of a deploy-time name';
    if (known(variant.serverlessConfig) !== undefined) {
      excluded(`whose variant '${name}' has a serverlessConfig (serverless inference)`, 'Host it on instances');
    }
    if (literal(variant.acceleratorType) !== undefined) {
      excluded(`whose variant '${name}' has an acceleratorType (Elastic Inference)`, 'Remove acceleratorType');
    }
    const instanceType = literal(variant.instanceType);
    if (instanceType !== undefined && isInferentia1(instanceType)) {
      excluded(`whose variant '${name}' uses ${instanceType} (Inferentia 1)`, 'Use another instance type, such as an Inf2 one');
    }
    const model = resourceNamedBy(variant.modelName, config, sagemaker.CfnModel.isCfnModel, (m) => m.modelName);
    const excludedModel = model && excludedModelKind(model);
    if (excludedModel !== undefined) {
      excluded(`whose variant '${name}' hosts '${model!.node.path}', ${excludedModel}`,
        'Host the model in a single container (primaryContainer, without mode: MultiModel)');
    }
  }

  const names = variants.map((variant) => literal(variant.variantName));
  if (names.some((name) => name === undefined)) {
    return [];
  }
  const { production, shadow } = shadowMode;
  const listed = names.map((name) => `'${name}'`).join(', ');
  if (literal(production.variantName) !== undefined && !names.includes(production.variantName)) {
    problems.add('shadowMode.production.variantName', production.variantName,
      `must be the production variant of ${subject}, which has ${listed || 'none'}. Name that variant, or write the ` +
      'configuration\'s variant from this ModelVariant with toProductionVariant()');
  }
  if (literal(shadow.variantName) !== undefined && names.includes(shadow.variantName)) {
    problems.add('shadowMode.shadow.variantName', shadow.variantName,
      `must not be the name of a variant that the endpoint hosts already (${subject} has ${listed}). Give the shadow ` +
      'variant a name of its own');
  }
  const configured = variants.find((variant) => variant.variantName === production.variantName);
  return configured === undefined ? [] : productionWarnings(production, configured, config, subject);
}

/** Warnings for a production variant of the test that does not match the one that the endpoint hosts. */
function productionWarnings(production: ModelVariant, configured: ProductionVariant, config: IConstruct, subject: string): EndpointWarning[] {
  const warnings: EndpointWarning[] = [];
  const testModel = l1Of(production.model, sagemaker.CfnModel.isCfnModel);
  const endpointModel = resourceNamedBy(configured.modelName, config, sagemaker.CfnModel.isCfnModel, (m) => m.modelName);
  const testModelName = literal(modelNameOf(production.model));
  const modelsDiffer = testModel !== undefined && endpointModel !== undefined
    ? testModel !== endpointModel
    : testModelName !== undefined && literal(configured.modelName) !== undefined && testModelName !== configured.modelName;
  if (modelsDiffer) {
    warnings.push({
      id: PRODUCTION_MODEL_DIFFERS,
      message: `The production variant '${production.variantName}' hosts another model in the test than in ${subject}: ` +
        'SageMaker runs the test with the test\'s model, so the comparison is not against what the endpoint serves. ' +
        'Use the same model in both, for example by writing the configuration\'s variant with toProductionVariant().',
    });
  }
  const instanceType = literal(configured.instanceType);
  const instanceCount = configured.initialInstanceCount;
  const typeDiffers = instanceType !== undefined && literal(production.instanceType.name) !== undefined &&
    instanceType !== production.instanceType.name;
  const countDiffers = typeof instanceCount === 'number' && !Token.isUnresolved(instanceCount) &&
    !Token.isUnresolved(production.instanceCount) && instanceCount !== production.instanceCount;
  if (typeDiffers || countDiffers) {
    warnings.push({
      id: PRODUCTION_INSTANCES_DIFFER,
      message: `The production variant '${production.variantName}' runs on ${production.instanceCount} ` +
        `${production.instanceType.name} in the test, and on ${instanceCount ?? 'its'} ${instanceType ?? 'instances'} in ` +
        `${subject}: while the test runs, SageMaker serves production on the test's instances, in place of the ` +
        'endpoint\'s (autoscaled capacity included). Give the test the endpoint\'s instance type and count.',
    });
  }
  return warnings;
}
