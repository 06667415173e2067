import { App, aws_cloudwatch as cloudwatch, aws_sagemaker as sagemaker, CfnParameter, Duration, Fn, Lazy, Stack } from 'aws-cdk-lib';
import { InferenceExperiment, VariantMetrics } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

// The metrics that the SageMaker console compares in a shadow test, plus OverheadLatency and the GPU's, with the
// namespace SageMaker publishes each in and the statistic that fits it (sums for counts, averages otherwise).
const EXPECTED: Array<[keyof VariantMetrics, string, string, string]> = [
  ['metricInvocations', 'Invocations', 'AWS/SageMaker', 'Sum'],
  ['metricInvocationsPerInstance', 'InvocationsPerInstance', 'AWS/SageMaker', 'Sum'],
  ['metricModelLatency', 'ModelLatency', 'AWS/SageMaker', 'Average'],
  ['metricOverheadLatency', 'OverheadLatency', 'AWS/SageMaker', 'Average'],
  ['metricInvocation4xxErrors', 'Invocation4XXErrors', 'AWS/SageMaker', 'Sum'],
  ['metricInvocation5xxErrors', 'Invocation5XXErrors', 'AWS/SageMaker', 'Sum'],
  ['metricInvocation4XXErrors', 'Invocation4XXErrors', 'AWS/SageMaker', 'Sum'],
  ['metricInvocation5XXErrors', 'Invocation5XXErrors', 'AWS/SageMaker', 'Sum'],
  ['metricInvocationModelErrors', 'InvocationModelErrors', 'AWS/SageMaker', 'Sum'],
  ['metricCpuUtilization', 'CPUUtilization', '/aws/sagemaker/Endpoints', 'Average'],
  ['metricMemoryUtilization', 'MemoryUtilization', '/aws/sagemaker/Endpoints', 'Average'],
  ['metricDiskUtilization', 'DiskUtilization', '/aws/sagemaker/Endpoints', 'Average'],
  ['metricGpuUtilization', 'GPUUtilization', '/aws/sagemaker/Endpoints', 'Average'],
  ['metricGpuMemoryUtilization', 'GPUMemoryUtilization', '/aws/sagemaker/Endpoints', 'Average'],
];

function experimentMetrics(): { production: VariantMetrics; shadow: VariantMetrics } {
  const parts = new ShadowTestParts(newStack());
  const experiment = parts.experiment();
  return experiment.metrics;
}

function callMetric(variant: VariantMetrics, method: keyof VariantMetrics, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return (variant[method] as (p?: cloudwatch.MetricOptions) => cloudwatch.Metric).call(variant, props);
}

describe.each(['production', 'shadow'] as const)('the %s variant of an InferenceExperiment', (variantRole) => {
  const variantName = variantRole === 'production' ? 'production' : 'candidate';

  test.each(EXPECTED)('%s is %s in %s, %s over 5 minutes, by endpoint and variant', (method, metricName, namespace, statistic) => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    const metric = callMetric(experiment.metrics[variantRole], method);

    expect(metric.namespace).toBe(namespace);
    expect(metric.metricName).toBe(metricName);
    expect(metric.statistic).toBe(statistic);
    expect(metric.period.toMinutes()).toBe(5);
    expect(parts.stack.resolve(metric.dimensions)).toEqual({
      EndpointName: { 'Fn::GetAtt': ['Endpoint', 'EndpointName'] },
      VariantName: variantName,
    });
  });

  test('error rate is (4XX + 5XX) / Invocations in percent', () => {
    const metrics = experimentMetrics()[variantRole];
    const errorRate = metrics.metricErrorRate();

    const hash = /_([0-9a-f]{8})$/.exec(Object.keys(errorRate.usingMetrics)[0])?.[1];
    expect(errorRate.expression).toBe(`100 * (errors4xx_${hash} + errors5xx_${hash}) / invocations_${hash}`);
    expect(Object.fromEntries(Object.entries(errorRate.usingMetrics).map(([id, m]) => {
      const metric = m as cloudwatch.Metric;
      return [id, `${metric.metricName}/${metric.statistic}/${metric.dimensions?.VariantName}`];
    }))).toEqual({
      [`errors4xx_${hash}`]: `Invocation4XXErrors/Sum/${variantName}`,
      [`errors5xx_${hash}`]: `Invocation5XXErrors/Sum/${variantName}`,
      [`invocations_${hash}`]: `Invocations/Sum/${variantName}`,
    });
    expect(errorRate.period.toMinutes()).toBe(5);
  });
});

describe('VariantMetrics', () => {
  test('metric() takes any metric name, in the namespace SageMaker publishes it in, and its options', () => {
    const metrics = VariantMetrics.of('endpoint', 'variant');

    const custom = metrics.metric('ModelSetupTime', { statistic: cloudwatch.Stats.p(99), period: Duration.minutes(1) });
    expect([custom.namespace, custom.metricName, custom.statistic, custom.period.toMinutes()])
      .toEqual(['AWS/SageMaker', 'ModelSetupTime', 'p99', 1]);
    expect(custom.dimensions).toEqual({ EndpointName: 'endpoint', VariantName: 'variant' });
    expect(metrics.metric('GPUUtilization').namespace).toBe('/aws/sagemaker/Endpoints');
    expect(metrics.metric('LoadedModelCount', { namespace: 'Custom' }).namespace).toBe('Custom');
  });

  test('the typed metrics take a period, a statistic and a label', () => {
    const metric = VariantMetrics.of('e', 'v').metricModelLatency({ period: Duration.minutes(1), statistic: 'p90', label: 'p90' });
    expect([metric.period.toMinutes(), metric.statistic, metric.label]).toEqual([1, 'p90', 'p90']);
  });

  test('the error rate\'s metric ids are valid for CloudWatch whatever the names hold', () => {
    const stack = new Stack();
    for (const [endpointName, variantName] of [
      ['e', 'blue-v2'], ['e', 'Blue.v2'], ['e', '2nd'], ['e', 'a b'],
      [Fn.importValue('EndpointName'), new CfnParameter(stack, 'Variant').valueAsString],
      ['e', Lazy.string({ produce: () => 'blue' })],
    ]) {
      expect(Object.keys(VariantMetrics.of(endpointName, variantName).metricErrorRate().usingMetrics))
        .toEqual([expect.stringMatching(/^errors4xx_[0-9a-f]{8}$/), expect.stringMatching(/^errors5xx_/), expect.stringMatching(/^invocations_/)]);
    }
  });

  test('the error rate\'s metric ids differ between variants and endpoints, and not between two calls', () => {
    const idsOf = (endpointName: string, variantName: string) =>
      Object.keys(VariantMetrics.of(endpointName, variantName).metricErrorRate().usingMetrics);
    const ids = [idsOf('a', 'blue'), idsOf('a', 'green'), idsOf('b', 'blue'), idsOf('ab', 'lue')];
    expect(new Set(ids.flat()).size).toBe(ids.length * 3);
    expect(idsOf('a', 'blue')).toEqual(ids[0]);
  });

  test('the error rate\'s metric ids of names that are tokens are the same on every synthesis, and differ between stacks', () => {
    /** The ids of an endpoint's variant, in an app that made `otherTokens` tokens before. */
    const idsOf = (stackName: string, otherTokens = 0) => {
      const app = new App();
      Array.from({ length: otherTokens }, () => Lazy.string({ produce: () => 'other' }));
      const endpoint = new sagemaker.CfnEndpoint(new Stack(app, stackName), 'Endpoint', { endpointConfigName: 'config' });
      const variantName = new CfnParameter(endpoint.stack, 'Variant').valueAsString;
      return Object.keys(VariantMetrics.of(endpoint.attrEndpointName, variantName).metricErrorRate().usingMetrics);
    };
    expect(idsOf('Beta', 5)).toEqual(idsOf('Beta'));
    expect(idsOf('Gamma')).not.toEqual(idsOf('Beta'));
  });

  test('the error rate uses one period for all of its metrics', () => {
    const errorRate = VariantMetrics.of('e', 'v').metricErrorRate({ period: Duration.minutes(1) });
    expect(errorRate.period.toMinutes()).toBe(1);
    expect(Object.values(errorRate.usingMetrics).map((m) => (m as cloudwatch.Metric).period.toMinutes())).toEqual([1, 1, 1]);
  });
});

describe('metrics of an imported experiment', () => {
  test('are those of the endpoint and variant names it was imported with', () => {
    const experiment = InferenceExperiment.fromInferenceExperimentAttributes(newStack(), 'Imported', {
      inferenceExperimentName: 'imported',
      endpointName: 'prod-endpoint',
      productionVariantName: 'blue',
      shadowVariantName: 'green',
    });
    expect(experiment.metrics.production.metricInvocations().dimensions).toEqual({ EndpointName: 'prod-endpoint', VariantName: 'blue' });
    expect(experiment.metrics.shadow.metricModelLatency().dimensions).toEqual({ EndpointName: 'prod-endpoint', VariantName: 'green' });
  });

  test('fail to be read without the names', () => {
    const experiment = InferenceExperiment.fromInferenceExperimentName(newStack(), 'Imported', 'imported');
    expect(() => experiment.metrics).toThrow(/metrics of the inference experiment 'TestStack\/Imported' are not known.*endpointName, productionVariantName and shadowVariantName/);
  });
});
