import { aws_cloudwatch as cloudwatch, CfnParameter, Duration, Fn, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ShadowTestMetrics } from '../src';
import { newStack } from './helpers/fixtures';

const metrics = () => ShadowTestMetrics.of({ endpointName: 'prod', productionVariantName: 'blue', shadowVariantName: 'green' });

/** The hash that ends each metric math id, in an expression or an id. */
const ID_HASH = /_[0-9a-f]{8}\b/g;

/** `text` with the hash of each metric math id left out, once the ids are checked to share one hash. */
function withoutHash(text: string, ...others: string[]): string {
  expect(new Set([text, ...others].flatMap((t) => t.match(ID_HASH))).size).toBe(1);
  return text.replace(ID_HASH, '');
}

/** An alarm's math: its expression and, per metric id, the metric's name, statistic, variant and period. */
function alarmMath(stack: Stack): { expression: string; metrics: Record<string, string>; alarm: any } {
  const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
  expect(alarms).toHaveLength(1);
  const alarm = alarms[0].Properties;
  const queries: any[] = alarm.Metrics;
  const expression = queries.find((q) => q.Expression !== undefined);
  return {
    alarm,
    expression: withoutHash(expression.Expression, ...queries.map((q) => q.Id).filter((id) => id !== expression.Id)),
    metrics: Object.fromEntries(queries.filter((q) => q.MetricStat).map((q) => [q.Id.replace(ID_HASH, ''), [
      q.MetricStat.Metric.Namespace, q.MetricStat.Metric.MetricName, q.MetricStat.Stat,
      q.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'VariantName').Value, q.MetricStat.Period,
    ].join(' ')])),
  };
}

describe('ShadowTestMetrics', () => {
  test('latency difference is shadow minus production ModelLatency', () => {
    const difference = metrics().metricModelLatencyDifference();
    const [productionId, shadowId] = Object.keys(difference.usingMetrics);
    expect(withoutHash(difference.expression, productionId, shadowId)).toBe('shadowLatency - productionLatency');
    expect(difference.expression).toBe(`${shadowId} - ${productionId}`);
    expect((difference.usingMetrics[shadowId] as cloudwatch.Metric).dimensions?.VariantName).toBe('green');
    expect((difference.usingMetrics[productionId] as cloudwatch.Metric).dimensions?.VariantName).toBe('blue');
    expect((difference.usingMetrics[productionId] as cloudwatch.Metric).metricName).toBe('ModelLatency');
  });

  test('latency regression is the difference in percent of production', () => {
    const regression = metrics().metricModelLatencyRegression();
    expect(withoutHash(regression.expression, ...Object.keys(regression.usingMetrics)))
      .toBe('100 * (shadowLatency - productionLatency) / productionLatency');
  });

  test('the shadow error rate alarm goes off above the given rate', () => {
    const stack = newStack();
    metrics().createShadowErrorRateAlarm(stack, 'Errors', { maxErrorRatePercent: 2 });

    const { alarm, expression, metrics: used } = alarmMath(stack);
    expect(expression).toBe('100 * (errors4xx + errors5xx) / invocations');
    expect(used).toEqual({
      errors4xx: 'AWS/SageMaker Invocation4XXErrors Sum green 300',
      errors5xx: 'AWS/SageMaker Invocation5XXErrors Sum green 300',
      invocations: 'AWS/SageMaker Invocations Sum green 300',
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

  test('the alarms take names that are tokens, and give each metric a valid id', () => {
    const stack = newStack();
    const tokens = ShadowTestMetrics.of({
      endpointName: Fn.importValue('ShadowTestEndpointName'),
      productionVariantName: new CfnParameter(stack, 'ProductionVariant').valueAsString,
      shadowVariantName: Lazy.string({ produce: () => 'candidate' }),
    });
    tokens.createShadowErrorRateAlarm(stack, 'Errors', { maxErrorRatePercent: 1 });
    tokens.createLatencyRegressionAlarm(stack, 'Latency', { maxRegressionPercent: 10 });
    tokens.createDiskUtilizationAlarm(stack, 'Disk');
    new cloudwatch.MathExpression({
      expression: 'MAX([production, shadow])',
      usingMetrics: { production: tokens.production.metricErrorRate(), shadow: tokens.shadow.metricErrorRate() },
    }).createAlarm(stack, 'EitherErrors', { threshold: 1, evaluationPeriods: 3 });

    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.map((alarm) => alarm.Properties.Metrics.length)).toEqual([4, 3, 3, 1 + 2 * 4]);
    for (const alarm of alarms) {
      const ids: string[] = alarm.Properties.Metrics.map((query: any) => query.Id);
      ids.forEach((id) => expect(id).toMatch(/^[a-z][a-zA-Z0-9_]*$/));
      expect(new Set(ids).size).toBe(ids.length);
    }
    const description = ['The shadow variant candidate of ', { 'Fn::ImportValue': 'ShadowTestEndpointName' }, ' fails more than 1% of its requests'];
    expect(alarms[0].Properties.AlarmDescription).toEqual({ 'Fn::Join': ['', description] });
  });

  test('one alarm combines the comparisons of two shadow tests with the same variant names', () => {
    const stack = newStack();
    const [first, second] = ['endpoint-a', 'endpoint-b'].map((endpointName) =>
      ShadowTestMetrics.of({ endpointName, productionVariantName: 'production', shadowVariantName: 'candidate' }));
    new cloudwatch.MathExpression({
      expression: 'MAX([firstErrors, secondErrors, firstLatency, secondLatency])',
      usingMetrics: {
        firstErrors: first.shadow.metricErrorRate(),
        secondErrors: second.shadow.metricErrorRate(),
        firstLatency: first.metricModelLatencyRegression(),
        secondLatency: second.metricModelLatencyRegression(),
      },
    }).createAlarm(stack, 'Either', { threshold: 5, evaluationPeriods: 3 });

    const [alarm] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    const ids: string[] = alarm.Properties.Metrics.map((query: any) => query.Id);
    // The outer expression, 4 inner ones, and 3 metrics of each shadow variant and 2 latencies of each test.
    expect(ids).toHaveLength(1 + 4 + 2 * (3 + 2));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
