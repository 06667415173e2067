import { aws_cloudwatch as cloudwatch, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ShadowTestMetrics } from '../src';
import { newStack } from './helpers/fixtures';

const metrics = () => ShadowTestMetrics.of({ endpointName: 'prod', productionVariantName: 'blue', shadowVariantName: 'green' });

/** An alarm's math: its expression and, per metric id, the metric's name, statistic, variant and period. */
function alarmMath(stack: Stack): { expression: string; metrics: Record<string, string>; alarm: any } {
  const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
  expect(alarms).toHaveLength(1);
  const alarm = alarms[0].Properties;
  const queries: any[] = alarm.Metrics;
  const expression = queries.find((q) => q.Expression !== undefined);
  return {
    alarm,
    expression: expression.Expression,
    metrics: Object.fromEntries(queries.filter((q) => q.MetricStat).map((q) => [q.Id, [
      q.MetricStat.Metric.Namespace, q.MetricStat.Metric.MetricName, q.MetricStat.Stat,
      q.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'VariantName').Value, q.MetricStat.Period,
    ].join(' ')])),
  };
}

describe('ShadowTestMetrics', () => {
  test('latency difference is shadow minus production ModelLatency', () => {
    const difference = metrics().metricModelLatencyDifference();
    expect(difference.expression).toBe('shadowLatency - productionLatency');
    expect((difference.usingMetrics.shadowLatency as cloudwatch.Metric).dimensions?.VariantName).toBe('green');
    expect((difference.usingMetrics.productionLatency as cloudwatch.Metric).dimensions?.VariantName).toBe('blue');
    expect((difference.usingMetrics.productionLatency as cloudwatch.Metric).metricName).toBe('ModelLatency');
  });

  test('latency regression is the difference in percent of production', () => {
    expect(metrics().metricModelLatencyRegression().expression).toBe('100 * (shadowLatency - productionLatency) / productionLatency');
  });

  test('the shadow error rate alarm goes off above the given rate', () => {
    const stack = newStack();
    metrics().createShadowErrorRateAlarm(stack, 'Errors', { maxErrorRatePercent: 2 });

    const { alarm, expression, metrics: used } = alarmMath(stack);
    expect(expression).toBe('100 * (errors4xx_green + errors5xx_green) / invocations_green');
    expect(used).toEqual({
      errors4xx_green: 'AWS/SageMaker Invocation4XXErrors Sum green 300',
      errors5xx_green: 'AWS/SageMaker Invocation5XXErrors Sum green 300',
      invocations_green: 'AWS/SageMaker Invocations Sum green 300',
    });
    expect(alarm).toMatchObject({
      Threshold: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
      AlarmDescription: 'The shadow variant green of prod fails more than 2% of its requests',
    });
  });

  test('the latency regression alarm goes off above the given percentage', () => {
    const stack = newStack();
    metrics().createLatencyRegressionAlarm(stack, 'Latency', {
      maxRegressionPercent: 10, period: Duration.minutes(1), evaluationPeriods: 5, datapointsToAlarm: 3, alarmName: 'latency',
    });

    const { alarm, expression, metrics: used } = alarmMath(stack);
    expect(expression).toBe('100 * (shadowLatency - productionLatency) / productionLatency');
    expect(used).toEqual({
      productionLatency: 'AWS/SageMaker ModelLatency Average blue 60',
      shadowLatency: 'AWS/SageMaker ModelLatency Average green 60',
    });
    expect(alarm).toMatchObject({
      Threshold: 10, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 3, AlarmName: 'latency',
    });
  });

  test('the disk alarm goes off when either variant reaches 75%, where data capture stops', () => {
    const stack = newStack();
    metrics().createDiskUtilizationAlarm(stack, 'Disk');

    const { alarm, expression, metrics: used } = alarmMath(stack);
    expect(expression).toBe('MAX([productionDisk, shadowDisk])');
    expect(used).toEqual({
      productionDisk: '/aws/sagemaker/Endpoints DiskUtilization Average blue 300',
      shadowDisk: '/aws/sagemaker/Endpoints DiskUtilization Average green 300',
    });
    expect(alarm).toMatchObject({ Threshold: 75, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 3 });
  });

  test('the disk alarm takes another threshold', () => {
    const stack = newStack();
    metrics().createDiskUtilizationAlarm(stack, 'Disk', { threshold: 60, treatMissingData: cloudwatch.TreatMissingData.BREACHING });
    expect(alarmMath(stack).alarm).toMatchObject({ Threshold: 60, TreatMissingData: 'breaching' });
  });

  test('each alarm is returned, so that actions can be added to it', () => {
    const alarm = metrics().createDiskUtilizationAlarm(newStack(), 'Disk');
    expect(alarm).toBeInstanceOf(cloudwatch.Alarm);
  });
});
