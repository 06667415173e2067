import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { App, aws_kms as kms, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ShadowTestStack } from '../examples/shadow-test-stack';
import { readInstanceTypes, readPriceList } from '../scripts/generate-instance-types';
import { ExistingEndpoint, InstanceType, PromotedInstanceSettings, ShadowModeConfig } from '../src';
import { newStack, ShadowTestParts, takeTemplateFindings, VALIDATES_TEMPLATES } from './helpers/fixtures';
import { familyOf, KNOWN_FAMILIES } from '../src/private/instance-facts';

function warningsOf(parts: ShadowTestParts): string[] {
  return Annotations.fromStack(parts.stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
}

function withInstanceTypes(parts: ShadowTestParts, production: InstanceType, shadow: InstanceType): ShadowModeConfig {
  return ShadowModeConfig.of({
    production: parts.production({ instanceType: production }),
    shadow: parts.shadow({ instanceType: shadow }),
    samplingPercentage: 100,
  });
}

describe('warning cdk-sagemaker-inference-experiment:inf1InstanceType', () => {
  test('is raised for each variant on an Inf1 instance type', () => {
    const parts = new ShadowTestParts(newStack());
    // On an endpoint outside the app: an endpoint configuration of the app on Inf1 is an error (see endpoint-checks).
    parts.experiment({
      endpoint: ExistingEndpoint.fromEndpointName(parts.stack, 'Existing', 'existing-endpoint'),
      shadowMode: withInstanceTypes(parts, InstanceType.ML_INF1_XLARGE, InstanceType.ML_INF1_2XLARGE),
    });

    expect(warningsOf(parts)).toEqual([
      'The production variant uses ml.inf1.xlarge: shadow tests exclude Inf1 (Inferentia 1) instances, and SageMaker rejects ' +
        'the test. Use another instance type, such as an Inf2 one. [ack: cdk-sagemaker-inference-experiment:inf1InstanceType]',
      'The shadow variant uses ml.inf1.2xlarge: shadow tests exclude Inf1 (Inferentia 1) instances, and SageMaker rejects ' +
        'the test. Use another instance type, such as an Inf2 one. [ack: cdk-sagemaker-inference-experiment:inf1InstanceType]',
    ]);
  });

  test('is not raised for Inf2', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ shadowMode: withInstanceTypes(parts, InstanceType.ML_M5_XLARGE, InstanceType.ML_INF2_XLARGE) });
    expect(warningsOf(parts)).toEqual([]);
  });
});

describe('warning cdk-sagemaker-inference-experiment:volumeKeyWithLocalStorage', () => {
  test.each([
    InstanceType.ML_M5D_XLARGE, InstanceType.ML_G4DN_XLARGE, InstanceType.ML_G5_2XLARGE, InstanceType.ML_P4D_24XLARGE,
    InstanceType.ML_G7_2XLARGE, InstanceType.ML_G7E_2XLARGE,
  ])(
    'is raised for a volume key with %s', (instanceType) => {
      const parts = new ShadowTestParts(newStack());
      parts.experiment({
        volumeEncryptionKey: new kms.Key(parts.stack, 'Key'),
        shadowMode: withInstanceTypes(parts, InstanceType.ML_M5_XLARGE, instanceType),
      });

      expect(warningsOf(parts)).toEqual([
        `The shadow variant uses ${instanceType.name}, which has local NVMe storage encrypted by the instance's hardware: ` +
          'SageMaker refuses a volume KMS key for it when the test deploys the variants. Remove volumeEncryptionKey, or use ' +
          'an instance type without local storage. [ack: cdk-sagemaker-inference-experiment:volumeKeyWithLocalStorage]',
      ]);
    });

  test('is not raised for local storage without a volume key, nor for a volume key on EBS-only instances', () => {
    const withoutKey = new ShadowTestParts(newStack());
    withoutKey.experiment({ shadowMode: withInstanceTypes(withoutKey, InstanceType.ML_M5D_XLARGE, InstanceType.ML_G5_XLARGE) });
    const ebsOnly = new ShadowTestParts(newStack());
    ebsOnly.experiment({
      volumeEncryptionKey: new kms.Key(ebsOnly.stack, 'Key'),
      shadowMode: withInstanceTypes(ebsOnly, InstanceType.ML_M5_XLARGE, InstanceType.ML_C6I_2XLARGE),
    });

    expect(warningsOf(withoutKey)).toEqual([]);
    expect(warningsOf(ebsOnly)).toEqual([]);
  });

  test('names only families of instance types that SageMaker accepts', () => {
    const families = new Set(readInstanceTypes().map(familyOf));
    expect(KNOWN_FAMILIES.filter((family) => !families.has(family))).toEqual([]);
  });
});

describe('warning cdk-sagemaker-inference-experiment:instanceTypeNotOfferedInRegion', () => {
  const ID = 'cdk-sagemaker-inference-experiment:instanceTypeNotOfferedInRegion';
  const priceList = readPriceList();
  const regionCount = Object.keys(priceList.regions).length;
  const source = `cfn-lint ${priceList.source.version}`;
  const offering = (type: string) => Object.keys(priceList.regions).filter((region) => priceList.regions[region].includes(type));

  /** A stack of the fixtures' account in `region`; env-agnostic without one. */
  function stackIn(region?: string): Stack {
    return new Stack(new App(), 'TestStack', region === undefined ? {} : { env: { account: '123456789012', region } });
  }

  function notOffered(parts: ShadowTestParts): string[] {
    return Annotations.fromStack(parts.stack).findWarning('*', Match.stringLikeRegexp(ID)).map((w) => String(w.entry.data));
  }

  /**
   * The rules that aws-cdk-lib's own template validation reported, where it validates: its rule E3642 reads the same
   * price list, so it finds what the construct warns of (and, in an env-agnostic stack, a type that no region offers).
   */
  function expectTemplateFindings(found: boolean): void {
    expect(takeTemplateFindings()).toEqual(VALIDATES_TEMPLATES && found ? ['E3642'] : []);
  }

  function howToGoOn(type: string, region: string): string {
    return `Use an instance type that ${region} offers; or, if you know that SageMaker offers ${type} in ${region} (the price ` +
      'list lags launches), keep it, acknowledge this warning and, with an aws-cdk-lib that validates templates itself ' +
      '(2.262.0 and later), its finding E3642 too: Validations.of(experiment).acknowledge({ id: \'CloudFormation-Validate::E3642\', ' +
      `reason: 'SageMaker offers ${type} in ${region}' }). [ack: ${ID}]`;
  }

  test('the price list offers the types as the tests below assume', () => {
    expect(offering('ml.m6i.xlarge').length).toBeGreaterThan(0);
    expect(offering('ml.m6i.xlarge')).not.toContain('us-east-1');
    expect(offering('ml.trn1.2xlarge')).toEqual(expect.arrayContaining(['us-east-1', 'us-west-2']));
    expect(offering('ml.trn1.2xlarge')).not.toContain('eu-west-1');
    expect(offering('ml.m5.xlarge')).toEqual(expect.arrayContaining(['us-east-1', 'us-west-2', 'eu-west-1']));
    expect(offering('ml.p3.2xlarge')).toEqual([]);
  });

  test('is raised for a type that the region does not offer, naming the regions that do', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ shadowMode: withInstanceTypes(parts, InstanceType.ML_M5_XLARGE, InstanceType.ML_M6I_XLARGE) });

    const regions = offering('ml.m6i.xlarge');
    expect(warningsOf(parts)).toEqual([
      'The shadow variant uses ml.m6i.xlarge, which the SageMaker price list does not offer for real-time inference in ' +
        `us-east-1 (${source} data); it offers it in ${regions.length} of its ${regionCount} regions: ${regions.join(', ')}. ` +
        howToGoOn('ml.m6i.xlarge', 'us-east-1'),
    ]);
    expectTemplateFindings(true);
  });

  test('is raised for a type in a region that lacks it, and not in a region that offers it', () => {
    const offered = new ShadowTestParts(stackIn('us-west-2'));
    offered.experiment({ shadowMode: withInstanceTypes(offered, InstanceType.ML_M5_XLARGE, InstanceType.ML_TRN1_2XLARGE) });
    expect(notOffered(offered)).toEqual([]);
    expectTemplateFindings(false);

    const lacking = new ShadowTestParts(stackIn('eu-west-1'));
    lacking.experiment({ shadowMode: withInstanceTypes(lacking, InstanceType.ML_M5_XLARGE, InstanceType.ML_TRN1_2XLARGE) });
    expect(notOffered(lacking)).toEqual([expect.stringContaining('The shadow variant uses ml.trn1.2xlarge, which the SageMaker ' +
      `price list does not offer for real-time inference in eu-west-1 (${source} data); it offers it in ` +
      `${offering('ml.trn1.2xlarge').length} of its ${regionCount} regions: ${offering('ml.trn1.2xlarge').join(', ')}. `)]);
    expectTemplateFindings(true);
  });

  test('is raised for each variant, the production one too', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ shadowMode: withInstanceTypes(parts, InstanceType.ML_R6I_LARGE, InstanceType.ML_C6IN_XLARGE) });
    expect(notOffered(parts).map((w) => w.slice(0, w.indexOf(','))))
      .toEqual(['The production variant uses ml.r6i.large', 'The shadow variant uses ml.c6in.xlarge']);
    expectTemplateFindings(true);
  });

  test('says of a constant that the price list has in no region that it may be retired, or newer than the price list', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ shadowMode: withInstanceTypes(parts, InstanceType.ML_M5_XLARGE, InstanceType.ML_P3_2XLARGE) });

    expect(warningsOf(parts)).toEqual([
      'The shadow variant uses ml.p3.2xlarge, which the SageMaker price list offers for real-time inference in none of its ' +
        `${regionCount} regions (${source} data): it may be retired, or newer than the price list. ` +
        howToGoOn('ml.p3.2xlarge', 'us-east-1'),
    ]);
    expectTemplateFindings(true);
  });

  test('says of a type from InstanceType.of() that neither the price list nor the library knows that it may be newer than both', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ shadowMode: withInstanceTypes(parts, InstanceType.ML_M5_XLARGE, InstanceType.of('ml.g9.96xlarge')) });

    expect(warningsOf(parts)).toEqual([
      'The shadow variant uses ml.g9.96xlarge, which the SageMaker price list offers for real-time inference in none of its ' +
        `${regionCount} regions (${source} data), and which is not among the instance types that this library knows: it ` +
        'may be newer than both, or misspelled. ' + howToGoOn('ml.g9.96xlarge', 'us-east-1'),
    ]);
    expectTemplateFindings(true);
  });

  test('reads a type from InstanceType.of() as the constant of the same name', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ shadowMode: withInstanceTypes(parts, InstanceType.of('ml.m5.xlarge'), InstanceType.of('ml.p3.2xlarge')) });
    expect(notOffered(parts)).toEqual([expect.stringContaining('ml.p3.2xlarge, which the SageMaker price list offers for ' +
      `real-time inference in none of its ${regionCount} regions (${source} data): it may be retired`)]);
    expectTemplateFindings(true);
  });

  test('is not raised in an env-agnostic stack, whose region is known only at deploy time: nothing is guessed', () => {
    const parts = new ShadowTestParts(stackIn());
    parts.experiment({ shadowMode: withInstanceTypes(parts, InstanceType.ML_M6I_XLARGE, InstanceType.ML_TRN1_2XLARGE) });
    expect(notOffered(parts)).toEqual([]);
    expectTemplateFindings(false);
  });

  test('is not raised in an env-agnostic stack even for a type that no region offers, which aws-cdk-lib reports', () => {
    const parts = new ShadowTestParts(stackIn());
    parts.experiment({ shadowMode: withInstanceTypes(parts, InstanceType.ML_P3_2XLARGE, InstanceType.of('ml.g9.96xlarge')) });
    expect(notOffered(parts)).toEqual([]);
    expectTemplateFindings(true);
  });

  test('is not raised in a region that the price list does not cover', () => {
    expect(priceList.regions).not.toHaveProperty(['us-isob-east-1']);
    const parts = new ShadowTestParts(stackIn('us-isob-east-1'));
    parts.experiment({ shadowMode: withInstanceTypes(parts, InstanceType.ML_P3_2XLARGE, InstanceType.of('ml.g9.96xlarge')) });
    expect(notOffered(parts)).toEqual([]);
    expectTemplateFindings(false);
  });

  test('is not raised for an instance type known only at deploy time', () => {
    const parts = new ShadowTestParts(newStack());
    const deployTime = InstanceType.of(new CfnParameter(parts.stack, 'ShadowInstanceType').valueAsString);
    parts.experiment({
      endpoint: ExistingEndpoint.fromEndpointName(parts.stack, 'Existing', 'existing-endpoint'),
      shadowMode: withInstanceTypes(parts, InstanceType.ML_M5_XLARGE, deployTime),
    });
    expect(notOffered(parts)).toEqual([]);
    expectTemplateFindings(false);
  });

  test('covers a promotion, whose variant keeps one of the two types warned of', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment({ shadowMode: withInstanceTypes(parts, InstanceType.ML_M5_XLARGE, InstanceType.ML_M6I_XLARGE) });
    experiment.promoteShadow({ instanceSettings: PromotedInstanceSettings.SHADOW });

    const variants = Template.fromStack(parts.stack).findResources('AWS::SageMaker::InferenceExperiment');
    const [promoted] = Object.values(variants)[0].Properties.ModelVariants;
    expect(promoted.InfrastructureConfig.RealTimeInferenceConfig.InstanceType).toBe('ml.m6i.xlarge');
    expect(notOffered(parts)).toEqual([expect.stringMatching(/^The shadow variant uses ml\.m6i\.xlarge, which the SageMaker price list does not offer/)]);
    expectTemplateFindings(true);
  });

  test('is silenced by acknowledging it, and aws-cdk-lib\'s finding by the call that it gives', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment({ shadowMode: withInstanceTypes(parts, InstanceType.ML_M5_XLARGE, InstanceType.ML_M6I_XLARGE) });
    cdk.Annotations.of(experiment).acknowledgeWarning(ID, 'SageMaker offers ml.m6i.xlarge in us-east-1');
    if (VALIDATES_TEMPLATES) {
      (cdk as any).Validations.of(experiment).acknowledge({ id: 'CloudFormation-Validate::E3642', reason: 'SageMaker offers ml.m6i.xlarge in us-east-1' });
    }
    expect(notOffered(parts)).toEqual([]);
    expectTemplateFindings(false);
  });

  (VALIDATES_TEMPLATES ? test : test.skip)('acknowledges, with the call that it gives, aws-cdk-lib\'s finding on the experiment\'s resource ' +
    '(an aws-cdk-lib that validates templates)', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'not-offered-'));
    const app = new App({ outdir });
    const parts = new ShadowTestParts(new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } }));
    const experiment = parts.experiment({ shadowMode: withInstanceTypes(parts, InstanceType.ML_M5_XLARGE, InstanceType.ML_M6I_XLARGE) });
    (cdk as any).Validations.of(experiment).acknowledge({ id: 'CloudFormation-Validate::E3642', reason: 'SageMaker offers ml.m6i.xlarge in us-east-1' });
    const assembly = app.synth();

    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf-8'));
    const findings = (key: 'violations' | 'suppressedViolations') => report.pluginReports
      .flatMap((r: any) => r[key] ?? []).filter((v: any) => v.ruleName === 'E3642');
    expect(findings('violations')).toEqual([]);
    expect(findings('suppressedViolations')).toEqual([expect.objectContaining({
      acknowledgedId: 'CloudFormation-Validate::E3642',
      acknowledgedAt: experiment.node.path,
      violatingConstructs: [expect.objectContaining({ constructPath: `${experiment.node.path}/Resource` })],
    })]);
    expectTemplateFindings(false);
  });
});

describe('a clean configuration', () => {
  test('raises no warning when fully configured', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment(parts.fullProps());
    expect(warningsOf(parts)).toEqual([]);
  });

  test('raises no warning in the example app', () => {
    const stack = new ShadowTestStack(new App(), 'ShadowTestExample');
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});
