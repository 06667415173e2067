/*
 * The reference shadow test, in TypeScript: the Python, Java and Go apps beside this folder build the same stack with
 * the library's packages for their languages, and their templates must equal this one's.
 *
 * It imports the library by its package name: `npx projen test:bindings` runs it from a folder whose node_modules
 * holds the npm tarball just built and the aws-cdk-lib that the app it is compared with uses (see ../run.ts).
 * Like the other apps, it writes its cloud assembly where CDK_OUTDIR says.
 */
import { App, Duration, Stack, aws_iam as iam, aws_kms as kms, aws_s3 as s3, aws_sagemaker as sagemaker } from 'aws-cdk-lib';
import {
  DataCapture,
  InferenceExperiment,
  InstanceType,
  LatencyMetric,
  ModelVariant,
  PromotedInstanceSettings,
  Schedule,
  ShadowModeConfig,
  ShadowTestDashboard,
  ShadowTestVerdict,
  UtilizationMetric,
  VerdictCriterion,
} from 'cdk-sagemaker-inference-experiment';

// No version reporting (the CDKMetadata resource names the language), and a fixed account and region.
const app = new App({ analyticsReporting: false });
const stack = new Stack(app, 'ShadowTest', { env: { account: '123456789012', region: 'us-east-1' } });

// The README's complete example: the models' role, the two models, the endpoint that serves the production variant.
const role = new iam.Role(stack, 'ModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
const image = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const productionModel = new sagemaker.CfnModel(stack, 'ProductionModel', {
  executionRoleArn: role.roleArn,
  primaryContainer: { image, modelDataUrl: 's3://amzn-s3-demo-bucket/models/v1/model.tar.gz' },
});
const candidateModel = new sagemaker.CfnModel(stack, 'CandidateModel', {
  executionRoleArn: role.roleArn,
  primaryContainer: { image, modelDataUrl: 's3://amzn-s3-demo-bucket/models/v2/model.tar.gz' },
});

const production = ModelVariant.realTime({
  variantName: 'production',
  model: productionModel,
  instanceType: InstanceType.ML_M5_XLARGE,
});
const endpointConfig = new sagemaker.CfnEndpointConfig(stack, 'EndpointConfig', {
  productionVariants: [production.toProductionVariant()],
});
const endpoint = new sagemaker.CfnEndpoint(stack, 'Endpoint', {
  endpointConfigName: endpointConfig.attrEndpointConfigName,
});

// Captured requests and responses go to a bucket encrypted with a key of the app.
const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
const captures = new s3.Bucket(stack, 'Captures', { encryptionKey: key, enforceSSL: true });

const experiment = new InferenceExperiment(stack, 'ShadowTest', {
  endpoint,
  description: 'Candidate v2 shadowing production v1',
  shadowMode: ShadowModeConfig.of({
    production,
    shadow: ModelVariant.realTime({
      variantName: 'candidate',
      model: candidateModel,
      instanceType: InstanceType.ML_M5_XLARGE,
    }),
    samplingPercentage: 50,
  }),
  schedule: Schedule.startingAt(new Date('2027-01-04T09:00:00Z'), Duration.days(14)),
  dataCapture: DataCapture.toBucket(captures, {
    prefix: 'shadow-tests/',
    encryptionKey: key,
    jsonContentTypes: ['application/json'],
    csvContentTypes: ['text/csv'],
  }),
  tags: { team: 'ml-platform', stage: 'beta' },
});

// An operator who follows the test and may stop it.
const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
experiment.grants.read(operator);
experiment.grants.stop(operator);

// The verdict on the candidate, judged against production while the test runs and once it has ended.
const verdict = new ShadowTestVerdict(stack, 'Verdict', {
  experiment,
  criteria: [
    VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 0.5 }),
    VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 15, allowedFailingPercent: 5 }),
    VerdictCriterion.latency({ percentile: 50, maxRegressionPercent: 10, metric: LatencyMetric.OVERHEAD_LATENCY }),
    VerdictCriterion.utilization({ metric: UtilizationMetric.MEMORY, maxIncreasePercentagePoints: 10, allowedFailingPeriods: 2 }),
  ],
  minShadowInvocations: 500,
  period: Duration.hours(2),
  evaluationInterval: Duration.minutes(30),
  interimVerdicts: true,
  stopOnFail: true,
});

// The comparison of the variants, and the alarms that the decision rests on.
new ShadowTestDashboard(stack, 'Comparison', { metrics: experiment.metrics, dashboardName: 'shadow-test', verdict });
experiment.metrics.createShadowErrorRateAlarm(stack, 'ShadowErrors', { maxErrorRatePercent: 1 });
experiment.metrics.createLatencyRegressionAlarm(stack, 'ShadowLatency', { maxRegressionPercent: 10 });
experiment.metrics.createDiskUtilizationAlarm(stack, 'CaptureDisk', { threshold: 80 });

// The outcome, deployed while the test runs: the candidate replaces production, on production's instances.
experiment.promoteShadow({
  reason: 'p99 latency 12% lower, same error rate',
  instanceSettings: PromotedInstanceSettings.PRODUCTION,
});

app.synth();
