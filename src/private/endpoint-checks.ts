import { aws_sagemaker as sagemaker, Stack, Token } from 'aws-cdk-lib';
import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { l1Of } from './app-resources';
import { isInferentia1 } from './instance-facts';
import { objectIn, objectsIn, Rendered, RenderedResources, stringIn } from './rendered-resources';
import { modelNameOf } from './resource-names';
import { ShadowModeSpec, VariantSpec } from './shadow-test-specs';
import { ProblemCollector } from './validation';
import {
  ENDPOINT_HAS_SHADOW_VARIANT,
  MARKETPLACE_MODEL_PACKAGE,
  PRODUCTION_INSTANCES_DIFFER,
  PRODUCTION_MODEL_DIFFERS,
} from './warnings';

/*
 * What SageMaker checks when a shadow test starts, checked at synth wherever the app defines the endpoint's
 * configuration and the models: the kinds of endpoints and models that shadow tests exclude, and the variants that
 * the test names. The resources are read as the template has them, overrides included: that is what SageMaker gets.
 */

/** A warning to add: its stable id and its message. */
export interface EndpointWarning {
  readonly id: string;
  readonly message: string;
}

/**
 * The resources rendered for one validation. A validation passes its own collector to each check, so that what
 * several checks read (the production model, most often) is rendered once, and the next validation renders afresh.
 */
const RENDERED = new WeakMap<ProblemCollector, RenderedResources>();

function renderedFor(problems: ProblemCollector): RenderedResources {
  let rendered = RENDERED.get(problems);
  if (rendered === undefined) {
    rendered = new RenderedResources();
    RENDERED.set(problems, rendered);
  }
  return rendered;
}

const literal = (value: string | undefined) => (Token.isUnresolved(value) ? undefined : value);

const SINGLE_CONTAINER = 'Host the model in a single container (primaryContainer, without mode: MultiModel)';

/**
 * Checks the variants' models when the app defines them: shadow tests exclude multi-model and multi-container models.
 */
export function checkVariantModels(problems: ProblemCollector, shadowMode: ShadowModeSpec): void {
  const rendered = renderedFor(problems);
  for (const [role, variant] of [['production', shadowMode.production], ['shadow', shadowMode.shadow]] as const) {
    const model = l1Of(variant.model, sagemaker.CfnModel.isCfnModel);
    const excluded = model && excludedModelKind(rendered.propertiesOf(model));
    if (excluded !== undefined) {
      problems.addDescribed(`shadowMode.${role}.model`, `'${model!.node.path}', ${excluded}`,
        `shadow tests exclude multi-model and multi-container models. ${SINGLE_CONTAINER}`);
    }
  }
}

/** Why shadow tests exclude the rendered `model`, or undefined when they do not (or it cannot be known). */
function excludedModelKind(model: Rendered | undefined): string | undefined {
  const containers = objectsIn(model?.Containers);
  if (containers !== undefined && containers.length > 1) {
    return `a multi-container model (${containers.length} containers)`;
  }
  if (containersOf(model).some((container) => container.Mode === 'MultiModel')) {
    return 'a multi-model model (mode: MultiModel)';
  }
  return undefined;
}

/** The containers of the rendered `model` that are known at synth: its primary container and those of its list. */
function containersOf(model: Rendered | undefined): Rendered[] {
  const list: unknown[] = Array.isArray(model?.Containers) ? model.Containers : [];
  return [model?.PrimaryContainer, ...list].map(objectIn).filter((container): container is Rendered => container !== undefined);
}

/**
 * Checks the endpoint's configuration when the app defines it: the endpoint must be of a kind that shadow tests
 * accept, host exactly one production variant, the test's production variant, and no production variant of the
 * shadow's name. Returns the warnings for what SageMaker accepts but users do not expect, the models of the test and
 * of the configuration included.
 */
export function checkEndpointConfiguration(
  problems: ProblemCollector, endpoint: sagemakerRefs.IEndpointRef, shadowMode: ShadowModeSpec,
): EndpointWarning[] {
  const rendered = renderedFor(problems);
  const configuration = configurationOf(rendered, endpoint);
  const warnings = configuration ? checkConfiguration(problems, rendered, configuration, shadowMode) : [];
  return [...warnings, ...marketplaceWarnings(rendered, shadowMode, configuration)];
}

/** An endpoint configuration of the app, rendered. */
interface Configuration {
  readonly config: sagemaker.CfnEndpointConfig;
  /** How messages name it. */
  readonly subject: string;
  readonly properties: Rendered;
}

/** The configuration of `endpoint`, when the app defines both. */
function configurationOf(rendered: RenderedResources, endpoint: sagemakerRefs.IEndpointRef): Configuration | undefined {
  const cfnEndpoint = l1Of(endpoint, sagemaker.CfnEndpoint.isCfnEndpoint);
  const config = cfnEndpoint && rendered.resourceNamedBy(rendered.propertiesOf(cfnEndpoint)?.EndpointConfigName,
    cfnEndpoint, sagemaker.CfnEndpointConfig.isCfnEndpointConfig, 'EndpointConfigName', (c) => c.endpointConfigName);
  const properties = config && rendered.propertiesOf(config);
  return config && properties && { config, subject: `the endpoint configuration '${config.node.path}'`, properties };
}

function checkConfiguration(
  problems: ProblemCollector, rendered: RenderedResources, configuration: Configuration, shadowMode: ShadowModeSpec,
): EndpointWarning[] {
  const { config, subject, properties } = configuration;
  const { production, shadow } = shadowMode;
  const excluded = (why: string, change: string) => problems.addDescribed('endpoint', `${subject}, ${why}`,
    `shadow tests exclude such endpoints. ${change}`);
  const warnings: EndpointWarning[] = [];

  if (objectIn(properties.AsyncInferenceConfig) !== undefined) {
    excluded('which has an asyncInferenceConfig (asynchronous inference)', 'Run the test on a real-time endpoint');
  }
  // SageMaker documents one shadow variant per endpoint, and does not say that it refuses a test on an endpoint that
  // has one: the test's shadow variant takes its place.
  const shadowVariants = objectsIn(properties.ShadowProductionVariants) ?? [];
  if (shadowVariants.length > 1) {
    problems.addDescribed('endpoint', `${subject}, which has ${shadowVariants.length} shadowProductionVariants`,
      'an endpoint has at most one shadow variant, and the test deploys its own. Remove them');
  } else if (shadowVariants.length === 1) {
    const name = stringIn(shadowVariants[0].VariantName);
    warnings.push({
      id: ENDPOINT_HAS_SHADOW_VARIANT,
      message: `The endpoint configuration '${config.node.path}' has a shadow variant already` +
        `${name === undefined ? '' : ` ('${name}')`}: an endpoint has at most one shadow variant, and then one ` +
        `production variant, so the test's shadow variant '${shadow.variantName}' takes the place of the ` +
        'configuration\'s while the test runs. Remove shadowProductionVariants from the configuration, or ' +
        'acknowledge this warning if that is what you want.',
    });
  }

  const variants = objectsIn(properties.ProductionVariants);
  if (variants === undefined) {
    return warnings;
  }
  if (variants.length !== 1) {
    excluded(`which has ${variants.length} production variants`,
      'An endpoint with a shadow variant has exactly one production variant: give the configuration only the ' +
      'test\'s production variant');
  }
  for (const variant of variants) {
    const name = stringIn(variant.VariantName) ?? 'of a deploy-time name';
    if (objectIn(variant.ServerlessConfig) !== undefined) {
      excluded(`whose variant '${name}' has a serverlessConfig (serverless inference)`, 'Host it on instances');
    }
    if (stringIn(variant.AcceleratorType) !== undefined) {
      excluded(`whose variant '${name}' has an acceleratorType (Elastic Inference)`, 'Remove acceleratorType');
    }
    const instanceType = stringIn(variant.InstanceType);
    if (instanceType !== undefined && isInferentia1(instanceType)) {
      excluded(`whose variant '${name}' uses ${instanceType} (Inferentia 1)`, 'Use another instance type, such as an Inf2 one');
    }
    const model = modelOf(rendered, variant, config);
    const excludedModel = model && excludedModelKind(rendered.propertiesOf(model));
    if (excludedModel !== undefined) {
      excluded(`whose variant '${name}' hosts '${model!.node.path}', ${excludedModel}`, SINGLE_CONTAINER);
    }
  }

  const names = variants.map((variant) => stringIn(variant.VariantName));
  if (names.some((name) => name === undefined)) {
    return warnings;
  }
  const listed = names.map((name) => `'${name}'`).join(', ');
  if (literal(production.variantName) !== undefined && !names.includes(production.variantName)) {
    problems.add('shadowMode.production.variantName', production.variantName,
      `must be the production variant of ${subject}, which has ${listed || 'none'}. Name that variant, or write the ` +
      'configuration\'s variant from this ModelVariant with toProductionVariant()');
  }
  // The configuration's own shadow variant is replaced by the test's, so only production variants may clash.
  if (literal(shadow.variantName) !== undefined && names.includes(shadow.variantName)) {
    problems.add('shadowMode.shadow.variantName', shadow.variantName,
      `must not be the name of a variant that the endpoint hosts already (${subject} has ${listed}). Give the shadow ` +
      'variant a name of its own');
  }
  const configured = variants.find((variant) => variant.VariantName === production.variantName);
  return configured === undefined ? warnings
    : [...warnings, ...productionWarnings(rendered, production, configured, configuration)];
}

/** The model of the app that a rendered variant of `config` hosts, when it can be known. */
function modelOf(rendered: RenderedResources, variant: Rendered, config: sagemaker.CfnEndpointConfig): sagemaker.CfnModel | undefined {
  return rendered.resourceNamedBy(variant.ModelName, config, sagemaker.CfnModel.isCfnModel, 'ModelName', (m) => m.modelName);
}

/** Warnings for a production variant of the test that does not match the one that the endpoint hosts. */
function productionWarnings(
  rendered: RenderedResources, production: VariantSpec, configured: Rendered, { config, subject }: Configuration,
): EndpointWarning[] {
  const warnings: EndpointWarning[] = [];
  const testModel = l1Of(production.model, sagemaker.CfnModel.isCfnModel);
  const endpointModel = modelOf(rendered, configured, config);
  const testModelName = testModel ? stringIn(rendered.propertiesOf(testModel)?.ModelName) : literal(modelNameOf(production.model));
  const endpointModelName = stringIn(configured.ModelName);
  const modelsDiffer = testModel !== undefined && endpointModel !== undefined
    ? testModel !== endpointModel
    : testModelName !== undefined && endpointModelName !== undefined && testModelName !== endpointModelName;
  if (modelsDiffer) {
    warnings.push({
      id: PRODUCTION_MODEL_DIFFERS,
      message: `The production variant '${production.variantName}' hosts another model in the test than in ${subject}: ` +
        'SageMaker runs the test with the test\'s model, so the comparison is not against what the endpoint serves. ' +
        'Use the same model in both, for example by writing the configuration\'s variant with toProductionVariant().',
    });
  }
  const instanceType = stringIn(configured.InstanceType);
  const instanceCount = typeof configured.InitialInstanceCount === 'number' ? configured.InitialInstanceCount : undefined;
  const typeDiffers = instanceType !== undefined && literal(production.instanceType.name) !== undefined &&
    instanceType !== production.instanceType.name;
  const countDiffers = instanceCount !== undefined && !Token.isUnresolved(production.instanceCount) &&
    instanceCount !== production.instanceCount;
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

/**
 * The account in the ARN of a model package; undefined for a package given by name, which is of the model's own
 * account.
 */
function accountOfModelPackage(modelPackage: string): string | undefined {
  return /^arn:[^:]+:sagemaker:[^:]*:(\d{12}):model-package\//.exec(modelPackage)?.[1];
}

/**
 * Warnings for the models of the test and of the configuration's production variants whose containers are made from
 * a model package of another account than the model's own: AWS Marketplace model packages belong to their sellers'
 * accounts, and SageMaker documents AWS Marketplace containers as excluded from shadow tests. A package of another
 * account may also be an organization's own, shared from a central account, hence a warning rather than an error.
 */
function marketplaceWarnings(
  rendered: RenderedResources, { production, shadow }: ShadowModeSpec, configuration: Configuration | undefined,
): EndpointWarning[] {
  // Each model once, under the first variant that hosts it: the configuration's model is most often the test's.
  const hosts = new Map<sagemaker.CfnModel, string>();
  const host = (model: sagemaker.CfnModel | undefined, variant: string) => {
    if (model !== undefined && !hosts.has(model)) {
      hosts.set(model, variant);
    }
  };
  host(l1Of(production.model, sagemaker.CfnModel.isCfnModel), `the test's production variant '${production.variantName}'`);
  host(l1Of(shadow.model, sagemaker.CfnModel.isCfnModel), `the test's shadow variant '${shadow.variantName}'`);
  if (configuration !== undefined) {
    for (const variant of objectsIn(configuration.properties.ProductionVariants) ?? []) {
      const name = stringIn(variant.VariantName) ?? 'of a deploy-time name';
      host(modelOf(rendered, variant, configuration.config), `the variant '${name}' of ${configuration.subject}`);
    }
  }

  const warnings: EndpointWarning[] = [];
  for (const [model, variant] of hosts) {
    const account = Stack.of(model).account;
    // In a stack whose account is known only at deploy time, no package's account can be compared with the model's.
    if (Token.isUnresolved(account)) {
      continue;
    }
    const packages = containersOf(rendered.propertiesOf(model)).flatMap((container) => {
      const modelPackage = stringIn(container.ModelPackageName);
      const packageAccount = modelPackage === undefined ? undefined : accountOfModelPackage(modelPackage);
      return packageAccount !== undefined && packageAccount !== account ? [`'${modelPackage}'`] : [];
    });
    if (packages.length > 0) {
      warnings.push({
        id: MARKETPLACE_MODEL_PACKAGE,
        message: `The model '${model.node.path}', hosted by ${variant}, is made from the model package ` +
          `${packages.join(', ')} of another account than the model's own (${account}), as AWS Marketplace model ` +
          'packages are, and SageMaker documents AWS Marketplace containers as excluded from shadow tests. Host the ' +
          'model from an image and model artifacts of your own (primaryContainer with image and modelDataUrl); if the ' +
          'package is your organization\'s own, shared from another account, acknowledge this warning.',
      });
    }
  }
  return warnings;
}
