/*
 * Where SageMaker publishes a variant's metrics: the namespaces and dimensions that every metric, alarm, dashboard
 * and verdict query of the library uses.
 */

/** The namespace of the invocation metrics that SageMaker publishes for endpoint variants. */
const INVOCATION_NAMESPACE = 'AWS/SageMaker';

/** The namespace of the instance metrics (CPU, memory, disk, GPU) of endpoint variants. */
const INSTANCE_NAMESPACE = '/aws/sagemaker/Endpoints';

/** The instance metrics, which SageMaker publishes in `/aws/sagemaker/Endpoints` rather than `AWS/SageMaker`. */
const INSTANCE_METRICS = new Set([
  'CPUUtilization', 'MemoryUtilization', 'DiskUtilization', 'GPUUtilization', 'GPUMemoryUtilization',
]);

/** The namespace in which SageMaker publishes the variant metric `metricName`. */
export function namespaceOf(metricName: string): string {
  return INSTANCE_METRICS.has(metricName) ? INSTANCE_NAMESPACE : INVOCATION_NAMESPACE;
}

/** The dimensions of a variant's metrics. */
export function variantDimensions(endpointName: string, variantName: string): Record<string, string> {
  return { EndpointName: endpointName, VariantName: variantName };
}
