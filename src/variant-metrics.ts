import { aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { idSuffix } from './private/metric-ids';
import { namespaceOf, variantDimensions } from './private/variant-metric-names';

/**
 * Options of a variant's metric.
 */
export interface VariantMetricOptions extends cloudwatch.MetricOptions {
  /**
   * The CloudWatch namespace of the metric.
   *
   * @default - `/aws/sagemaker/Endpoints` for the instance metrics (`CPUUtilization`, `MemoryUtilization`,
   * `DiskUtilization`, `GPUUtilization`, `GPUMemoryUtilization`), `AWS/SageMaker` for any other metric
   */
  readonly namespace?: string;
}

/**
 * The CloudWatch metrics of one variant of an endpoint: the production or the shadow variant of a shadow test.
 *
 * Each metric has the dimensions `EndpointName` and `VariantName`. Counts are summed and latencies and utilizations
 * averaged, over 5 minutes unless `period` says otherwise.
 */
export class VariantMetrics {
  /**
   * The metrics of the variant `variantName` of the endpoint `endpointName`.
   *
   * @param endpointName the name of the endpoint
   * @param variantName the name of the variant
   */
  public static of(endpointName: string, variantName: string): VariantMetrics {
    return new VariantMetrics(endpointName, variantName);
  }

  private constructor(
    /** The name of the endpoint. */
    public readonly endpointName: string,
    /** The name of the variant. */
    public readonly variantName: string,
  ) {}

  /**
   * A metric of this variant, by its CloudWatch name.
   *
   * @param metricName the metric's name, exactly as SageMaker publishes it, such as `ModelLatency`
   * @param props the statistic, period, label and other options
   */
  public metric(metricName: string, props: VariantMetricOptions = {}): cloudwatch.Metric {
    const { namespace, ...options } = props;
    return new cloudwatch.Metric({
      namespace: namespace ?? namespaceOf(metricName),
      metricName,
      dimensionsMap: variantDimensions(this.endpointName, this.variantName),
      ...options,
    });
  }

  /**
   * The number of requests sent to the variant (`Invocations`), summed.
   *
   * @param props the statistic, the period and the graph's label and color
   */
  public metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sum('Invocations', props);
  }

  /**
   * The number of requests sent to each instance of the variant (`InvocationsPerInstance`), summed.
   *
   * @param props the statistic, the period and the graph's label and color
   */
  public metricInvocationsPerInstance(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sum('InvocationsPerInstance', props);
  }

  /**
   * The time the model took to respond, in microseconds (`ModelLatency`), averaged.
   *
   * @param props the statistic, the period and the graph's label and color
   */
  public metricModelLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.average('ModelLatency', props);
  }

  /**
   * The time SageMaker added to the model's, in microseconds (`OverheadLatency`), averaged.
   *
   * @param props the statistic, the period and the graph's label and color
   */
  public metricOverheadLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.average('OverheadLatency', props);
  }

  /**
   * The number of requests that the model answered with a 4XX status (`Invocation4XXErrors`), summed.
   *
   * @param props the statistic, the period and the graph's label and color
   */
  public metricInvocation4xxErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sum('Invocation4XXErrors', props);
  }

  /**
   * The number of requests that the model answered with a 4XX status (`Invocation4XXErrors`), summed.
   *
   * @param props the statistic, the period and the graph's label and color
   * @deprecated use `metricInvocation4xxErrors()`, whose name reads the same in every language (this one is
   * `metric_invocation4_xx_errors` in Python)
   */
  public metricInvocation4XXErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricInvocation4xxErrors(props);
  }

  /**
   * The number of requests that the model answered with a 5XX status (`Invocation5XXErrors`), summed.
   *
   * @param props the statistic, the period and the graph's label and color
   */
  public metricInvocation5xxErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sum('Invocation5XXErrors', props);
  }

  /**
   * The number of requests that the model answered with a 5XX status (`Invocation5XXErrors`), summed.
   *
   * @param props the statistic, the period and the graph's label and color
   * @deprecated use `metricInvocation5xxErrors()`, whose name reads the same in every language (this one is
   * `metric_invocation5_xx_errors` in Python)
   */
  public metricInvocation5XXErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricInvocation5xxErrors(props);
  }

  /**
   * The number of requests that did not get a 2XX response from the model (`InvocationModelErrors`), summed.
   *
   * @param props the statistic, the period and the graph's label and color
   */
  public metricInvocationModelErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sum('InvocationModelErrors', props);
  }

  /**
   * The CPU utilization of the variant's instances, in percent of one core (`CPUUtilization`), averaged.
   *
   * @param props the statistic, the period and the graph's label and color
   */
  public metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.average('CPUUtilization', props);
  }

  /**
   * The memory utilization of the variant's instances, in percent (`MemoryUtilization`), averaged.
   *
   * @param props the statistic, the period and the graph's label and color
   */
  public metricMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.average('MemoryUtilization', props);
  }

  /**
   * The disk utilization of the variant's instances, in percent (`DiskUtilization`), averaged. Data capture stops
   * capturing once it reaches 75%.
   *
   * @param props the statistic, the period and the graph's label and color
   */
  public metricDiskUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.average('DiskUtilization', props);
  }

  /**
   * The GPU utilization of the variant's instances, in percent of one GPU (`GPUUtilization`), averaged.
   *
   * @param props the statistic, the period and the graph's label and color
   */
  public metricGpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.average('GPUUtilization', props);
  }

  /**
   * The GPU memory utilization of the variant's instances, in percent (`GPUMemoryUtilization`), averaged.
   *
   * @param props the statistic, the period and the graph's label and color
   */
  public metricGpuMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.average('GPUMemoryUtilization', props);
  }

  /**
   * The share of the variant's requests that failed, in percent:
   * `100 * (Invocation4XXErrors + Invocation5XXErrors) / Invocations`, each summed over the period. The metric ids
   * end with a hash of the endpoint and variant names (`errors4xx_1a2b3c4d`, `errors5xx_1a2b3c4d`,
   * `invocations_1a2b3c4d`), so that the error rates of several variants and experiments can share a graph or an alarm.
   *
   * A period without invocations has no value.
   *
   * @param props the statistic, the period and the graph's label and color
   */
  public metricErrorRate(props: cloudwatch.MathExpressionOptions = {}): cloudwatch.MathExpression {
    const period = props.period;
    const suffix = idSuffix([this.endpointName, this.variantName]);
    const [errors4xx, errors5xx, invocations] = ['errors4xx', 'errors5xx', 'invocations'].map((id) => `${id}${suffix}`);
    return new cloudwatch.MathExpression({
      expression: `100 * (${errors4xx} + ${errors5xx}) / ${invocations}`,
      usingMetrics: {
        [errors4xx]: this.metricInvocation4xxErrors({ period }),
        [errors5xx]: this.metricInvocation5xxErrors({ period }),
        [invocations]: this.metricInvocations({ period }),
      },
      label: `${this.variantName} error rate (%)`,
      ...props,
    });
  }

  private sum(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(metricName, { statistic: cloudwatch.Stats.SUM, ...props });
  }

  private average(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(metricName, { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }
}
