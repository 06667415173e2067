import { namespaceOf, variantDimensions } from './variant-metric-names';

/*
 * The CloudWatch GetMetricData queries of a verdict. CloudWatch's metric math does every computation: per period, the
 * comparison of the shadow with production and whether the period fails; over the window, the totals. The workflow
 * only reads the newest value of each returned series and compares two of them.
 *
 * Each returned series is asked for in a call of its own, with only the queries it depends on, and only its newest
 * data point (`MaxDatapoints` 1, newest first): the answer stays a few hundred bytes whatever the window's length,
 * far within Step Functions' 256 KB for a state's result, and a series without data is a result without values,
 * which the workflow reads with definite paths only.
 *
 * Every raw metric is filled with a value for each period that has no data point (FILL), so that the series combine
 * period by period; a period is judged only when both variants have data in it. A running sum's newest value is the
 * total over the window. No expression divides by zero: a denominator that may be zero has 1 added when it is.
 */

/** How a criterion compares the shadow variant with production, in each period. */
export type Comparison =
  /** `100 * (shadow errors / shadow invocations - production errors / production invocations)`: percentage points. */
  | { readonly kind: 'errorRate' }
  /** `100 * (shadow - production) / production` of the statistic `stat` of `metricName`: percent. */
  | { readonly kind: 'regression'; readonly metricName: string; readonly stat: string }
  /** `shadow - production` of the average of `metricName`: percentage points. */
  | { readonly kind: 'difference'; readonly metricName: string };

/** One criterion of a verdict, as plain data. */
export interface CriterionSpec {
  /** Its name in the verdict's results: a metric math id (a lower-case letter, then letters, digits, `_`). */
  readonly key: string;
  /** What is measured, in words, with its unit. */
  readonly measures: string;
  readonly comparison: Comparison;
  /** The largest value that passes: a period, or the window, fails when its value is above it. */
  readonly threshold: number;
  /** Whether each period is judged (true) or the whole window at once (false: error rates only). */
  readonly eachPeriod: boolean;
  /** How many judged periods may fail, when given. */
  readonly allowedFailingPeriods?: number;
  /** The share of the judged periods, in percent, that may fail (rounded down), when given. */
  readonly allowedFailingPercent?: number;
}

/** The variants whose metrics a verdict compares. */
export interface VerdictVariants {
  readonly endpointName: string;
  readonly productionVariantName: string;
  readonly shadowVariantName: string;
}

/** A query of GetMetricData's `MetricDataQueries`, as the API takes it. */
export interface MetricDataQuery {
  readonly Id: string;
  readonly Expression?: string;
  readonly MetricStat?: {
    readonly Metric: { readonly Namespace: string; readonly MetricName: string; readonly Dimensions: { Name: string; Value: string }[] };
    readonly Period: number;
    readonly Stat: string;
  };
  readonly Label?: string;
  readonly ReturnData: boolean;
}

/** The four series returned for each criterion, by the suffix of their ids. */
export const CRITERION_RESULTS = ['value', 'judged', 'failed', 'allowed'] as const;

/** The ids of the returned totals of invocations. */
export const SHADOW_INVOCATIONS = 'shadowInvocations';
export const PRODUCTION_INVOCATIONS = 'productionInvocations';

/** The id of a criterion's returned series. */
export function resultId(key: string, result: typeof CRITERION_RESULTS[number]): string {
  return `${key}_${result}`;
}

/** The ids of the series that a verdict on `criteria` reads, in order. */
export function returnedIds(criteria: readonly CriterionSpec[]): string[] {
  return [SHADOW_INVOCATIONS, PRODUCTION_INVOCATIONS,
    ...criteria.flatMap((criterion) => CRITERION_RESULTS.map((result) => resultId(criterion.key, result)))];
}

/**
 * The queries of one GetMetricData call that returns only the series `id`: `queries` without the others that `id`
 * does not depend on, and with `id` alone returned.
 */
export function queriesOf(id: string, queries: readonly MetricDataQuery[]): MetricDataQuery[] {
  const byId = new Map(queries.map((query) => [query.Id, query]));
  const needed = new Set<string>();
  const visit = (queryId: string): void => {
    if (needed.has(queryId)) {
      return;
    }
    needed.add(queryId);
    for (const referenced of byId.get(queryId)?.Expression?.match(/[a-z][a-zA-Z0-9_]*/g) ?? []) {
      if (byId.has(referenced)) {
        visit(referenced);
      }
    }
  };
  visit(id);
  return queries.filter((query) => needed.has(query.Id)).map((query) => ({ ...query, ReturnData: query.Id === id }));
}

/** The queries of a verdict on `criteria`, with data points of `periodSeconds`. */
export function verdictQueries(variants: VerdictVariants, criteria: readonly CriterionSpec[], periodSeconds: number): MetricDataQuery[] {
  const queries = new Map<string, MetricDataQuery>();
  const add = (query: MetricDataQuery) => queries.set(query.Id, query);
  const variant = { s: variants.shadowVariantName, p: variants.productionVariantName };
  /** The raw metric of both variants, as ids `<id>S` and `<id>P`, each filled with `fill` where it has no data point. */
  const raw = (id: string, metricName: string, stat: string, fill: number): void => {
    for (const [side, variantName] of Object.entries(variant)) {
      add({
        Id: `${id}${side.toUpperCase()}`,
        MetricStat: {
          Metric: {
            Namespace: namespaceOf(metricName),
            MetricName: metricName,
            Dimensions: Object.entries(variantDimensions(variants.endpointName, variantName)).map(([Name, Value]) => ({ Name, Value })),
          },
          Period: periodSeconds,
          Stat: stat,
        },
        ReturnData: false,
      });
      add({ Id: `${id}${side.toUpperCase()}f`, Expression: `FILL(${id}${side.toUpperCase()}, ${fill})`, ReturnData: false });
    }
  };
  const expression = (id: string, text: string, returned = false) =>
    add({ Id: id, Expression: text, ReturnData: returned, ...(returned ? { Label: id } : {}) });
  const nonZero = (id: string) => `(${id} + (${id} == 0))`;

  raw('inv', 'Invocations', 'Sum', 0);
  expression(SHADOW_INVOCATIONS, 'RUNNING_SUM(invSf)', true);
  expression(PRODUCTION_INVOCATIONS, 'RUNNING_SUM(invPf)', true);

  for (const criterion of criteria) {
    const k = criterion.key;
    const comparison = criterion.comparison;
    if (comparison.kind === 'errorRate') {
      raw('e4', 'Invocation4XXErrors', 'Sum', 0);
      raw('e5', 'Invocation5XXErrors', 'Sum', 0);
      expression('errS', 'e4Sf + e5Sf');
      expression('errP', 'e4Pf + e5Pf');
      if (!criterion.eachPeriod) {
        // The window's own rates, from its totals: the newest point of each running sum.
        expression('errSt', 'RUNNING_SUM(errS)');
        expression('errPt', 'RUNNING_SUM(errP)');
        expression('invSt', 'RUNNING_SUM(invSf)');
        expression('invPt', 'RUNNING_SUM(invPf)');
        expression(resultId(k, 'value'), `100 * (errSt / ${nonZero('invSt')} - errPt / ${nonZero('invPt')})`, true);
        expression(resultId(k, 'judged'), 'invSt > 0 AND invPt > 0', true);
        expression(resultId(k, 'failed'), `${resultId(k, 'judged')} AND ${resultId(k, 'value')} > ${criterion.threshold}`, true);
        expression(resultId(k, 'allowed'), `0 * ${resultId(k, 'judged')}`, true);
        continue;
      }
      expression(`${k}_v`, `100 * (errS / ${nonZero('invSf')} - errP / ${nonZero('invPf')})`);
      expression(`${k}_j`, 'invSf > 0 AND invPf > 0');
    } else {
      const stat = comparison.kind === 'regression' ? comparison.stat : 'Average';
      // A period without data on a variant is -1 before the check: no latency or utilization is negative.
      raw(k, comparison.metricName, stat, -1);
      expression(`${k}_j`, `${k}Sf >= 0 AND ${k}Pf >= 0`);
      expression(`${k}_v`, comparison.kind === 'regression'
        ? `100 * (${k}Sf - ${k}Pf) / ${nonZero(`${k}Pf`)}`
        : `${k}Sf - ${k}Pf`);
    }
    expression(`${k}_f`, `${k}_j AND ${k}_v > ${criterion.threshold}`);
    expression(resultId(k, 'judged'), `RUNNING_SUM(${k}_j)`, true);
    expression(resultId(k, 'failed'), `RUNNING_SUM(${k}_f)`, true);
    // The mean of the judged periods' values.
    expression(resultId(k, 'value'), `RUNNING_SUM(IF(${k}_j, ${k}_v, 0)) / ${nonZero(resultId(k, 'judged'))}`, true);
    expression(resultId(k, 'allowed'), criterion.allowedFailingPercent !== undefined
      ? `FLOOR(${criterion.allowedFailingPercent} * ${resultId(k, 'judged')} / 100)`
      : `0 * ${resultId(k, 'judged')} + ${criterion.allowedFailingPeriods ?? 0}`, true);
  }
  return [...queries.values()];
}
