import { aws_cloudwatch as cloudwatch, CfnParameter, Duration, Fn, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ShadowTestDashboard, ShadowTestMetrics } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

/** The dashboard's widgets, with each token replaced by `tokenText` of its CloudFormation (ENDPOINT by default). */
function widgetsOf(stack: Stack, tokenText: (token: unknown) => string = () => 'ENDPOINT'): any[] {
  const dashboards = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : tokenText(part))).join('');
  return JSON.parse(text).widgets;
}

/** A token's CloudFormation in quotes that a JSON string can hold: {'Ref':'Prod'}. */
const cloudFormationText = (token: unknown) => JSON.stringify(token).replace(/"/g, "'");

/** The metric math ids of each graph, as CloudWatch reads them: the last item of each query holds its id. */
function idsOf(widgets: any[]): string[][] {
  return widgets.filter((widget) => widget.type === 'metric')
    .map((widget) => widget.properties.metrics.map((query: any[]) => query[query.length - 1].id).filter((id: unknown) => id !== undefined));
}

/** Checks that every id is valid for CloudWatch and that no graph uses one twice. */
function expectValidUniqueIds(widgets: any[]): void {
  for (const ids of idsOf(widgets)) {
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    ids.forEach((id) => expect(id).toMatch(/^[a-z][a-zA-Z0-9_]*$/));
  }
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
    // Each metric math id ends with a hash of the endpoint and variant names that it measures.
    const expressions = (i: number) => graphs[i].properties.metrics.filter((m: any[]) => m[0].expression)
      .map((m: any[]) => m[0].expression.replace(/_[0-9a-f]{8}\b/g, '_<hash>'));
    expect(expressions(12)).toEqual(['shadowLatency_<hash> - productionLatency_<hash>']);
    expect(expressions(13)).toEqual(['100 * (shadowLatency_<hash> - productionLatency_<hash>) / productionLatency_<hash>']);
    expect(expressions(14)).toEqual([
      '100 * (errors4xx_<hash> + errors5xx_<hash>) / invocations_<hash>',
      '100 * (errors4xx_<hash> + errors5xx_<hash>) / invocations_<hash>',
    ]);
    expectValidUniqueIds(widgets);
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

  test('takes variant and endpoint names that are tokens, and writes what they resolve to', () => {
    const stack = newStack();
    const metrics = ShadowTestMetrics.of({
      endpointName: Fn.importValue('ShadowTestEndpointName'),
      productionVariantName: new CfnParameter(stack, 'ProductionVariant').valueAsString,
      shadowVariantName: Lazy.string({ produce: () => 'candidate-v2' }),
    });

    new ShadowTestDashboard(stack, 'Dashboard', { metrics });

    const widgets = widgetsOf(stack, cloudFormationText);
    expect(widgets[0].properties.markdown).toBe("# Shadow test on {'Fn::ImportValue':'ShadowTestEndpointName'}\n" +
      "Production variant **{'Ref':'ProductionVariant'}** against shadow variant **candidate-v2**.");
    expect(widgets[1].properties.metrics).toEqual([
      ['AWS/SageMaker', 'Invocations', 'EndpointName', "{'Fn::ImportValue':'ShadowTestEndpointName'}",
        'VariantName', "{'Ref':'ProductionVariant'}", { label: "production: {'Ref':'ProductionVariant'}", stat: 'Sum' }],
      ['AWS/SageMaker', 'Invocations', 'EndpointName', "{'Fn::ImportValue':'ShadowTestEndpointName'}",
        'VariantName', 'candidate-v2', { label: 'shadow: candidate-v2', stat: 'Sum' }],
    ]);
    expect(widgets[widgets.length - 1].properties.metrics.map((query: any[]) => query[0].label).filter(Boolean))
      .toEqual(["{'Ref':'ProductionVariant'} error rate (%)", 'candidate-v2 error rate (%)']);
    expectValidUniqueIds(widgets);
  });

  test('two shadow tests share a dashboard and a graph, each comparison with its own metric ids', () => {
    const stack = newStack();
    // The same variant names on two endpoints, as two teams would name them.
    const [first, second] = ['endpoint-a', 'endpoint-b'].map((endpointName) =>
      ShadowTestMetrics.of({ endpointName, productionVariantName: 'production', shadowVariantName: 'candidate' }));
    const dashboard = new cloudwatch.Dashboard(stack, 'Both');
    dashboard.addWidgets(new cloudwatch.GraphWidget({
      title: 'Both shadow tests',
      left: [first, second].flatMap((metrics) => [
        metrics.metricModelLatencyDifference(),
        metrics.metricModelLatencyRegression(),
        metrics.production.metricErrorRate(),
        metrics.shadow.metricErrorRate(),
      ]),
    }));
    new ShadowTestDashboard(stack, 'First', { metrics: first, dashboard });
    new ShadowTestDashboard(stack, 'Second', { metrics: second, dashboard });

    const widgets = widgetsOf(stack);
    expectValidUniqueIds(widgets);
    // Each test's expressions use its 2 latencies and 3 metrics of each of its 2 variants.
    const [both] = idsOf(widgets);
    expect(both).toHaveLength(2 * (2 + 2 * 3));
    expect(new Set(idsOf(widgets).flat())).toEqual(new Set(both));
  });

  test('the shadow tests of two experiments share a dashboard', () => {
    const parts = new ShadowTestParts(newStack());
    const dashboard = new cloudwatch.Dashboard(parts.stack, 'Both');
    const first = parts.experiment();
    const second = parts.experiment({ endpoint: parts.newEndpoint('SecondEndpoint') }, 'Second');
    new ShadowTestDashboard(parts.stack, 'FirstView', { metrics: first.metrics, dashboard });
    new ShadowTestDashboard(parts.stack, 'SecondView', { metrics: second.metrics, dashboard });
    dashboard.addWidgets(new cloudwatch.GraphWidget({ left: [first.metrics.shadow.metricErrorRate(), second.metrics.shadow.metricErrorRate()] }));

    expectValidUniqueIds(widgetsOf(parts.stack));
  });
});
