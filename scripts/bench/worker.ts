/*
 * One measurement of the synthesis benchmark, in a fresh process: prints a JSON line.
 *
 *   worker.ts synth <library|handwritten> <experiments>
 *   worker.ts load <library|aws-cdk-lib>
 */
/* eslint-disable @typescript-eslint/no-require-imports -- modules are required on demand: the loading time is measured */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';

const EXPERIMENTS_PER_STACK = 100;

/** The aws-cdk-lib modules that the library uses, loaded for real (aws-cdk-lib loads its modules lazily). */
function loadCdkModules(): unknown[] {
  const cdk = require('aws-cdk-lib');
  require('aws-cdk-lib/interfaces');
  return [cdk.Stack, cdk.aws_iam.Role, cdk.aws_kms.Key, cdk.aws_s3.Bucket, cdk.aws_sagemaker.CfnInferenceExperiment, cdk.aws_cloudwatch.Metric];
}

function measureLoad(what: string): object {
  const start = performance.now();
  if (what === 'library') {
    require('../../lib');
  }
  loadCdkModules();
  return { ms: performance.now() - start };
}

function measureSynth(implementation: string, experiments: number): object {
  const cdk = require('aws-cdk-lib');
  // Only the library's app loads the library, so that a whole process's time includes loading it.
  const library = implementation === 'library' ? require('../../lib') : undefined;
  const define = implementation === 'library' ? libraryExperiment : handwrittenExperiment;
  // The cloud assembly goes to memory where the machine has a RAM disk, so that disk latency does not blur the figures.
  const outdir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'bench-'));

  const start = performance.now();
  const app = new cdk.App({ outdir });
  let stack: any;
  for (let i = 0; i < experiments; i++) {
    if (i % EXPERIMENTS_PER_STACK === 0) {
      stack = new cdk.Stack(app, `Bench${i / EXPERIMENTS_PER_STACK}`, { env: { account: '123456789012', region: 'us-east-1' } });
    }
    define(cdk, library, stack, i);
  }
  const assembly = app.synth();
  const ms = performance.now() - start;

  const resources: Record<string, number> = {};
  for (const artifact of assembly.stacks) {
    for (const resource of Object.values<any>(artifact.template.Resources ?? {})) {
      resources[resource.Type] = (resources[resource.Type] ?? 0) + 1;
    }
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  return { ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, resources };
}

/** A shadow test with this library, on an endpoint and models that exist already. */
function libraryExperiment(_cdk: any, lib: any, stack: any, i: number): void {
  const variant = (name: string) => lib.ModelVariant.realTime({
    variantName: name,
    model: lib.ExistingModel.fromModelName(stack, `${name}Model${i}`, `${name}-model-${i}`),
    instanceType: lib.InstanceType.ML_M5_XLARGE,
  });
  new lib.InferenceExperiment(stack, `Experiment${i}`, {
    endpoint: lib.ExistingEndpoint.fromEndpointName(stack, `Endpoint${i}`, `endpoint-${i}`),
    shadowMode: lib.ShadowModeConfig.of({ production: variant('production'), shadow: variant('candidate'), samplingPercentage: 100 }),
  });
}

/**
 * The same resources written by hand: a role, its policy and the L1 experiment, with the same properties as the
 * library writes (the role's description and the statements' ids included), so that both apps synthesize the same
 * template but for logical IDs.
 */
function handwrittenExperiment(cdk: any, _lib: any, stack: any, i: number): void {
  const { aws_iam: iam, aws_sagemaker: sagemaker } = cdk;
  const arn = (type: string, name: string) => stack.formatArn({ service: 'sagemaker', resource: type, resourceName: name });
  const role = new iam.Role(stack, `Role${i}`, {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    description: `Assumed by SageMaker to run the shadow test ${stack.stackName}/Experiment${i}`,
  });
  const policy = new iam.Policy(stack, `Policy${i}`, {
    statements: [
      new iam.PolicyStatement({
        sid: 'ReadAndSwitchTheEndpoint',
        actions: ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpoint'],
        resources: [arn('endpoint', `endpoint-${i}`)],
      }),
      new iam.PolicyStatement({
        sid: 'ManageTheTestEndpointConfigs',
        actions: ['sagemaker:AddTags', 'sagemaker:CreateEndpointConfig', 'sagemaker:DeleteEndpointConfig',
          'sagemaker:DescribeEndpointConfig', 'sagemaker:UpdateEndpoint'],
        resources: [arn('endpoint-config', '*')],
      }),
      new iam.PolicyStatement({
        sid: 'ReadTheVariantModels',
        actions: ['sagemaker:DescribeModel'],
        resources: [arn('model', `production-model-${i}`), arn('model', `candidate-model-${i}`)],
      }),
    ],
  });
  role.attachInlinePolicy(policy);
  const variant = (name: string) => ({
    modelName: `${name}-model-${i}`,
    variantName: name,
    infrastructureConfig: {
      infrastructureType: 'RealTimeInference',
      realTimeInferenceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1 },
    },
  });
  const experiment = new sagemaker.CfnInferenceExperiment(stack, `Experiment${i}`, {
    name: `bench-experiment-${i}`,
    type: 'ShadowMode',
    roleArn: role.roleArn,
    endpointName: `endpoint-${i}`,
    modelVariants: [variant('production'), variant('candidate')],
    shadowModeConfig: {
      sourceModelVariantName: 'production',
      shadowModelVariants: [{ shadowModelVariantName: 'candidate', samplingPercentage: 100 }],
    },
  });
  experiment.node.addDependency(policy);
}

const [mode, what, count] = process.argv.slice(2);
const result = mode === 'load' ? measureLoad(what) : measureSynth(what, Number(count));
process.stdout.write(`${JSON.stringify(result)}\n`);
