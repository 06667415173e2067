/*
 * Integration test: a shadow test on a real endpoint.
 *
 * Two Hugging Face text-classification models (served by the AWS Deep Learning Container, which downloads each
 * model from the Hugging Face Hub when the endpoint starts, so no artifact has to be uploaded), an endpoint that
 * hosts the first, and a shadow test of the second with all of the traffic, guarded by an alarm. The assertions send a
 * request, wait until SageMaker reports the test as Running with both variants, then set the alarm to ALARM and wait
 * until the guard has stopped the test.
 *
 *   npx projen integ          verify the committed snapshot (no AWS account needed)
 *   npx integ-runner --language typescript --directory test --update-on-failed --no-update-workflow
 *                             deploy it, run the assertions, and record the snapshot (needs AWS credentials)
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aws, aws_iam as iam, aws_sagemaker as sagemaker, Duration, Stack } from 'aws-cdk-lib';
import { InferenceExperiment, InstanceType, ModelVariant, ShadowModeConfig, ShadowTestGuard } from '../src';

const app = new App();
const stack = new Stack(app, 'InferenceExperimentShadowTest');

const repository = 'huggingface-pytorch-inference';
const image = `763104351884.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/${repository}:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04`;

// The role that the model containers run as: pull the serving image, write logs and metrics.
const modelRole = new iam.Role(stack, 'ModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
modelRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken', 'cloudwatch:PutMetricData'], resources: ['*'] }));
modelRole.addToPrincipalPolicy(new iam.PolicyStatement({
  actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
  resources: [`arn:${Aws.PARTITION}:ecr:${Aws.REGION}:763104351884:repository/${repository}`],
}));
const canWriteLogs = modelRole.addToPrincipalPolicy(new iam.PolicyStatement({
  actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
  resources: [`arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/aws/sagemaker/*`],
}));

function model(id: string, hubModelId: string): sagemaker.CfnModel {
  const cfnModel = new sagemaker.CfnModel(stack, id, {
    executionRoleArn: modelRole.roleArn,
    primaryContainer: { image, environment: { HF_MODEL_ID: hubModelId, HF_TASK: 'text-classification' } },
  });
  // The role itself is waited for through its ARN; its policy (every statement above), by an explicit dependency.
  cfnModel.node.addDependency(canWriteLogs.policyDependable!);
  return cfnModel;
}

const production = ModelVariant.realTime({
  variantName: 'production',
  model: model('ProductionModel', 'distilbert/distilbert-base-uncased-finetuned-sst-2-english'),
  instanceType: InstanceType.ML_M5_XLARGE,
});
const endpointConfig = new sagemaker.CfnEndpointConfig(stack, 'EndpointConfig', {
  productionVariants: [production.toProductionVariant()],
});
const endpoint = new sagemaker.CfnEndpoint(stack, 'Endpoint', { endpointConfigName: endpointConfig.attrEndpointConfigName });

const experiment = new InferenceExperiment(stack, 'ShadowTest', {
  endpoint,
  description: 'Integration test of cdk-sagemaker-inference-experiment',
  shadowMode: ShadowModeConfig.of({
    production,
    shadow: ModelVariant.realTime({
      variantName: 'candidate',
      model: model('CandidateModel', 'cardiffnlp/twitter-roberta-base-sentiment-latest'),
      instanceType: InstanceType.ML_M5_XLARGE,
    }),
    samplingPercentage: 100,
  }),
});

const errorRate = experiment.metrics.createShadowErrorRateAlarm(stack, 'ShadowErrorRate', { maxErrorRatePercent: 1 });
new ShadowTestGuard(stack, 'Guard', { experiment, alarms: [errorRate] });

const integ = new IntegTest(app, 'ShadowTestInteg', { testCases: [stack] });

integ.assertions.awsApiCall('SageMakerRuntime', 'invokeEndpoint', {
  EndpointName: experiment.endpointName,
  ContentType: 'application/json',
  Body: JSON.stringify({ inputs: 'The candidate model answers as well as production.' }),
}).expect(ExpectedResult.objectLike({ ContentType: 'application/json' }));

integ.assertions.awsApiCall('SageMaker', 'describeInferenceExperiment', { Name: experiment.inferenceExperimentName })
  .expect(ExpectedResult.objectLike({
    Status: 'Running',
    Type: 'ShadowMode',
    EndpointMetadata: { EndpointName: experiment.endpointName },
    ShadowModeConfig: {
      SourceModelVariantName: 'production',
      ShadowModelVariants: [{ ShadowModelVariantName: 'candidate', SamplingPercentage: 100 }],
    },
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(30), interval: Duration.minutes(1) })
  // The guard: an alarm going into ALARM stops the test, removing the shadow variant.
  .next(integ.assertions.awsApiCall('CloudWatch', 'setAlarmState', {
    AlarmName: errorRate.alarmName,
    StateValue: 'ALARM',
    StateReason: 'Integration test of the shadow test guard',
  }))
  .next(integ.assertions.awsApiCall('SageMaker', 'describeInferenceExperiment', { Name: experiment.inferenceExperimentName })
    .expect(ExpectedResult.objectLike({ Status: 'Cancelled' }))
    .waitForAssertions({ totalTimeout: Duration.minutes(30), interval: Duration.minutes(1) }));
