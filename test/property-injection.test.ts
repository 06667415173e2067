import { App, aws_logs as logs, Duration, PropertyInjectors, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  InferenceExperiment,
  InferenceExperimentProps,
  ShadowTestDashboard,
  ShadowTestDashboardProps,
  ShadowTestGuard,
  ShadowTestGuardProps,
  ShadowTestVerdict,
  ShadowTestVerdictProps,
} from '../src';
import { ShadowTestParts } from './helpers/fixtures';

describe('property injection', () => {
  test('an injector registered on the app gives the experiment its defaults, and the props given win', () => {
    const app = new App();
    PropertyInjectors.of(app).add({
      constructUniqueId: InferenceExperiment.PROPERTY_INJECTION_ID,
      inject: (props: InferenceExperimentProps) => ({ description: 'Owned by the ML platform team', ...props, tags: { team: 'ml-platform', ...props.tags } }),
    });
    const stack = new Stack(app, 'Injected', { env: { account: '123456789012', region: 'us-east-1' } });
    const parts = new ShadowTestParts(stack);
    parts.experiment({}, 'Defaulted');
    parts.experiment({ endpoint: parts.newEndpoint('Other'), description: 'Given' }, 'Given');

    const descriptions = Object.values(Template.fromStack(stack).findResources('AWS::SageMaker::InferenceExperiment'))
      .map((r) => [r.Properties.Description, r.Properties.Tags]);
    expect(descriptions).toEqual([
      ['Owned by the ML platform team', [{ Key: 'team', Value: 'ml-platform' }]],
      ['Given', [{ Key: 'team', Value: 'ml-platform' }]],
    ]);
  });

  test('injected props are validated like given ones', () => {
    const app = new App();
    PropertyInjectors.of(app).add({
      constructUniqueId: InferenceExperiment.PROPERTY_INJECTION_ID,
      inject: (props: InferenceExperimentProps) => ({ ...props, description: '' }),
    });
    const parts = new ShadowTestParts(new Stack(app, 'Injected'));
    expect(() => parts.experiment()).toThrow(/description: got ""; must be at least 1 character long/);
  });

  test('the nearest scope\'s injector applies to the dashboard', () => {
    const app = new App();
    const stack = new Stack(app, 'Dashboards');
    PropertyInjectors.of(stack).add({
      constructUniqueId: ShadowTestDashboard.PROPERTY_INJECTION_ID,
      inject: (props: ShadowTestDashboardProps) => ({ dashboardName: 'team-shadow-tests', ...props }),
    });
    const parts = new ShadowTestParts(stack);
    new ShadowTestDashboard(stack, 'Comparison', { metrics: parts.experiment().metrics });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'team-shadow-tests' });
  });

  test("the nearest scope's injector applies to the guard, and what it gives is checked", () => {
    const app = new App();
    const stack = new Stack(app, 'Guards', { env: { account: '123456789012', region: 'us-east-1' } });
    PropertyInjectors.of(stack).add({
      constructUniqueId: ShadowTestGuard.PROPERTY_INJECTION_ID,
      inject: (props: ShadowTestGuardProps) => ({ logRetention: logs.RetentionDays.TWO_YEARS, ...props }),
    });
    const parts = new ShadowTestParts(stack);
    const experiment = parts.experiment();
    const alarms = [experiment.metrics.createDiskUtilizationAlarm(stack, 'Disk')];
    new ShadowTestGuard(stack, 'Guard', { experiment, alarms });
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });

    PropertyInjectors.of(stack).add({
      constructUniqueId: ShadowTestGuard.PROPERTY_INJECTION_ID,
      inject: (props: ShadowTestGuardProps) => ({ ...props, alarms: [] }),
    });
    expect(() => new ShadowTestGuard(stack, 'Emptied', { experiment, alarms })).toThrow(/alarms: got an empty list/);
  });

  test("the nearest scope's injector applies to the verdict, and what it gives is checked", () => {
    const stack = new Stack(new App(), 'Verdicts', { env: { account: '123456789012', region: 'us-east-1' } });
    PropertyInjectors.of(stack).add({
      constructUniqueId: ShadowTestVerdict.PROPERTY_INJECTION_ID,
      inject: (props: ShadowTestVerdictProps) => ({ evaluationInterval: Duration.minutes(30), ...props }),
    });
    const experiment = new ShadowTestParts(stack).experiment();
    new ShadowTestVerdict(stack, 'Verdict', { experiment });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(30 minutes)' });

    PropertyInjectors.of(stack).add({
      constructUniqueId: ShadowTestVerdict.PROPERTY_INJECTION_ID,
      inject: (props: ShadowTestVerdictProps) => ({ ...props, stopOnFail: true }),
    });
    expect(() => new ShadowTestVerdict(stack, 'Stopping', { experiment })).toThrow(/stopOnFail: got true; requires interimVerdicts/);
  });

  test('the ids are those of this library', () => {
    expect(InferenceExperiment.PROPERTY_INJECTION_ID).toBe('cdk-sagemaker-inference-experiment.InferenceExperiment');
    expect(ShadowTestDashboard.PROPERTY_INJECTION_ID).toBe('cdk-sagemaker-inference-experiment.ShadowTestDashboard');
    expect(ShadowTestGuard.PROPERTY_INJECTION_ID).toBe('cdk-sagemaker-inference-experiment.ShadowTestGuard');
    expect(ShadowTestVerdict.PROPERTY_INJECTION_ID).toBe('cdk-sagemaker-inference-experiment.ShadowTestVerdict');
  });
});
