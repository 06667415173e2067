import { aws_cloudwatch as cloudwatch, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ShadowTestDashboard, ShadowTestMetrics } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

/** The dashboard's widgets, with the endpoint name's token replaced by ENDPOINT. */
function widgetsOf(stack: Stack): any[] {
  const dashboards = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'ENDPOINT')).join('');
  return JSON.parse(text).widgets;
}

const VARIANT_GRAPHS: Array<[string, string, string, string]> = [
  ['Invocations', 'AWS/SageMaker', 'Invocations', 'Sum'],
  ['InvocationsPerInstance', 'AWS/SageMaker', 'InvocationsPerInstance', 'Sum'],
  ['ModelLatency', 'AWS/SageMaker', 'ModelLatency', 'Average'],
  ['Invocation4XXErrors', 'AWS/SageMaker', 'Invocation4XXErrors', 'Sum'],
  ['Invocation5XXErrors', 'AWS/SageMaker', 'Invocation5XXErrors', 'Sum'],
  ['InvocationModelErrors', 'AWS/SageMaker', 'InvocationModelErrors', 'Sum'],
  ['CPUUtilization', '/aws/sagemaker/Endpoints', 'CPUUtilization', 'Average'],
  ['MemoryUtilization', '/aws/sagemaker/Endpoints', 'MemoryUtilization', 'Average'],
  ['DiskUtilization', '/aws/sagemaker/Endpoints', 'DiskUtilization', 'Average'],
  ['OverheadLatency', 'AWS/SageMaker', 'OverheadLatency', 'Average'],
  ['GPUUtilization', '/aws/sagemaker/Endpoints', 'GPUUtilization', 'Average'],
  ['GPUMemoryUtilization', '/aws/sagemaker/Endpoints', 'GPUMemoryUtilization', 'Average'],
];

describe('ShadowTestDashboard', () => {
  test('shows each metric of both variants on one graph, then the comparisons', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    new ShadowTestDashboard(parts.stack, 'Dashboard', { metrics: experiment.metrics, dashboardName: 'shadow-test' });

    const widgets = widgetsOf(parts.stack);
    expect(widgets[0].type).toBe('text');
    expect(widgets[0].properties.markdown).toBe('# Shadow test on ENDPOINT\nProduction variant **production** against shadow variant **candidate**.');

    const graphs = widgets.slice(1);
    expect(graphs.map((w) => w.properties.title)).toEqual([
      ...VARIANT_GRAPHS.map(([title]) => title),
      'Shadow - production ModelLatency', 'Shadow ModelLatency regression', 'Error rate',
    ]);
    VARIANT_GRAPHS.forEach(([, namespace, metricName, stat], i) => {
      // CloudWatch graphs average by default, so the rendering leaves that statistic out.
      const statistic = stat === 'Average' ? {} : { stat };
      expect(graphs[i].properties.metrics).toEqual([
        [namespace, metricName, 'EndpointName', 'ENDPOINT', 'VariantName', 'production', { label: 'production: production', ...statistic }],
        [namespace, metricName, 'EndpointName', 'ENDPOINT', 'VariantName', 'candidate', { label: 'shadow: candidate', ...statistic }],
      ]);
    });
    const expressions = (i: number) => graphs[i].properties.metrics.filter((m: any[]) => m[0].expression).map((m: any[]) => m[0].expression);
    expect(expressions(12)).toEqual(['shadowLatency - productionLatency']);
    expect(expressions(13)).toEqual(['100 * (shadowLatency - productionLatency) / productionLatency']);
    expect(expressions(14)).toEqual([
      '100 * (errors4xx_production + errors5xx_production) / invocations_production',
      '100 * (errors4xx_candidate + errors5xx_candidate) / invocations_candidate',
    ]);
    expect(graphs.every((w) => w.width === 8 && w.height === 6)).toBe(true);
    Template.fromStack(parts.stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'shadow-test' });
  });

  test('adds its widgets to an existing dashboard, with the given period', () => {
    const stack = newStack();
    const dashboard = new cloudwatch.Dashboard(stack, 'Existing');
    dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: 'existing', width: 24 }));
    const metrics = ShadowTestMetrics.of({ endpointName: 'prod', productionVariantName: 'blue', shadowVariantName: 'green' });

    const view = new ShadowTestDashboard(stack, 'View', { metrics, dashboard, period: Duration.minutes(1) });

    expect(view.dashboard).toBe(dashboard);
    const widgets = widgetsOf(stack);
    expect(widgets).toHaveLength(1 + 1 + 15);
    expect(widgets[0].properties.markdown).toBe('existing');
    const periods = widgets.slice(2).flatMap((w) => w.properties.metrics.map((m: any[]) => m[m.length - 1].period));
    expect(periods).toHaveLength(12 * 2 + 3 + 3 + 8);
    expect(new Set(periods)).toEqual(new Set([60]));
  });
});
