import {
  aws_cloudwatch_actions as actions,
  aws_iam as iam,
  aws_kms as kms,
  aws_s3 as s3,
  aws_sagemaker as sagemaker,
  aws_sns as sns,
  CfnResource,
  Duration,
  Stack,
  StackProps,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  DataCapture,
  InferenceExperiment,
  NagAcknowledgements,
  InstanceType,
  ModelVariant,
  ShadowModeConfig,
  ShadowTestDashboard,
  ShadowTestGuard,
  ShadowTestVerdict,
  VerdictCriterion,
} from '../src';

/** The built-in XGBoost serving image of SageMaker in us-east-1; any inference image works the same way. */
const SERVING_IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';

/**
 * A complete shadow test: a production model served by an endpoint, a candidate model, and an inference
 * experiment that sends a copy of half of the endpoint's requests to the candidate and captures both variants'
 * traffic to an encrypted bucket; a dashboard that compares the variants, alarms for the decision to promote, a
 * guard that stops the test as soon as one of them goes into ALARM, and a verdict that judges the test against
 * explicit criteria.
 */
export class ShadowTestStack extends Stack {
  public readonly experiment: InferenceExperiment;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // Server access logs are delivered under a bucket policy rather than the legacy LogDeliveryWrite ACL, as new CDK
    // apps do (cdk init sets this flag); set here so that the stack is the same in any app.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const key = new kms.Key(this, 'Key', {
      description: 'Encrypts model artifacts and captured inference data of the shadow test',
      enableKeyRotation: true,
    });
    // Every bucket keeps the versions of its objects, for a while where they are logs or captures.
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    });
    const noSelfLogging = 'This bucket receives the server access logs of the other buckets; logging it to itself would loop.';
    NagAcknowledgements.acknowledge(accessLogs, [{ id: 'AwsSolutions-S1', reason: noSelfLogging }]);
    (accessLogs.node.defaultChild as CfnResource).addMetadata('checkov', { skip: [{ id: 'CKV_AWS_18', comment: noSelfLogging }] });
    const artifacts = new s3.Bucket(this, 'ModelArtifacts', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'model-artifacts/',
      versioned: true,
    });
    const captures = new s3.Bucket(this, 'Captures', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'captures/',
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(7) }],
    });

    // The role that the models' containers run as. The shadow test gets a role of its own from the construct.
    const role = new iam.Role(this, 'ModelRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Runs the containers of the production and candidate models',
    });
    const canReadArtifacts = artifacts.grantRead(role);

    const model = (name: string, version: string): sagemaker.CfnModel => {
      const cfnModel = new sagemaker.CfnModel(this, name, {
        executionRoleArn: role.roleArn,
        // The container gets its artifacts from SageMaker and needs no network of its own.
        enableNetworkIsolation: true,
        primaryContainer: {
          image: SERVING_IMAGE,
          modelDataUrl: artifacts.s3UrlForObject(`models/${version}/model.tar.gz`),
        },
      });
      // The model is validated on creation, so the role must already be able to read the artifacts: the model waits
      // for the grant's policy (the role itself is waited for through its ARN).
      cfnModel.node.addDependency(canReadArtifacts);
      return cfnModel;
    };
    const productionModel = model('ProductionModel', 'v1');
    const candidateModel = model('CandidateModel', 'v2');

    const productionVariant = ModelVariant.realTime({
      variantName: 'production',
      model: productionModel,
      instanceType: InstanceType.ML_M5_XLARGE,
    });

    const endpointConfig = new sagemaker.CfnEndpointConfig(this, 'EndpointConfig', {
      kmsKeyId: key.keyArn,
      // Written from the test's production variant, so that the endpoint and the test cannot disagree.
      productionVariants: [productionVariant.toProductionVariant()],
    });
    const endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', {
      endpointConfigName: endpointConfig.attrEndpointConfigName,
    });

    this.experiment = new InferenceExperiment(this, 'ShadowTest', {
      endpoint,
      description: 'Candidate model v2 shadowing production model v1',
      shadowMode: ShadowModeConfig.of({
        production: productionVariant,
        shadow: ModelVariant.realTime({
          variantName: 'candidate',
          model: candidateModel,
          instanceType: InstanceType.ML_M5_XLARGE,
        }),
        samplingPercentage: 50,
      }),
      dataCapture: DataCapture.toBucket(captures, {
        prefix: 'shadow-tests/',
        encryptionKey: key,
        jsonContentTypes: ['application/json'],
        csvContentTypes: ['text/csv'],
      }),
      tags: { project: 'shadow-test-example' },
    });

    // The alarms that tell whether the candidate can be promoted.
    const alerts = new sns.Topic(this, 'Alerts', { masterKey: key, enforceSSL: true });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const alarms = [
      this.experiment.metrics.createShadowErrorRateAlarm(this, 'ShadowErrorRate', { maxErrorRatePercent: 1 }),
      this.experiment.metrics.createLatencyRegressionAlarm(this, 'ShadowLatencyRegression', { maxRegressionPercent: 10 }),
      this.experiment.metrics.createDiskUtilizationAlarm(this, 'CaptureDiskUtilization'),
    ];
    alarms.forEach((alarm) => alarm.addAlarmAction(new actions.SnsAction(alerts)));
    // Any of the alarms stops the test at once: the shadow variant is removed, production keeps serving.
    new ShadowTestGuard(this, 'Guard', { experiment: this.experiment, alarms, notificationTopic: alerts });

    // The verdict on the criteria that the candidate must meet: every hour while the test runs, an interim verdict that
    // stops the test on FAIL, as the guard does; once the test has ended, the final verdict. Each is an event on the
    // default bus, a metric, and a message to the alerts topic. A PASS promotes nothing: that is a change of this app.
    const verdict = new ShadowTestVerdict(this, 'Verdict', {
      experiment: this.experiment,
      criteria: [
        VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 0.5 }),
        VerdictCriterion.latency({ percentile: 50, maxRegressionPercent: 10, allowedFailingPercent: 10 }),
        VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 15, allowedFailingPercent: 5 }),
      ],
      interimVerdicts: true,
      stopOnFail: true,
      notificationTopic: alerts,
    });

    // The comparison that the test is run for, with the latest verdicts first.
    new ShadowTestDashboard(this, 'Comparison', { metrics: this.experiment.metrics, dashboardName: 'shadow-test-example', verdict });

    // Wildcards that the permissions need, each with its reason (see "Security" in the README), for cdk-nag 2 and 3.
    const artifactsArn = `<${this.getLogicalId(artifacts.node.defaultChild as CfnResource)}.Arn>`;
    NagAcknowledgements.acknowledge(role, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Bucket.grantRead: the model containers read every object of the artifacts bucket, with the ' +
        'read actions that aws-cdk-lib groups under s3:GetObject*, s3:GetBucket* and s3:List*.',
      findings: ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', `Resource::${artifactsArn}/*`],
    }]);
    NagAcknowledgements.acknowledgeDocumentedWildcards(this);
  }
}
