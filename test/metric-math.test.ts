/*
 * Checks the metric math interpreter of test/helpers/metric-math.ts against expectations computed by hand from the
 * CloudWatch metric math documentation: precedence, how series and scalars combine, the points left out, IF, FILL,
 * FLOOR, RUNNING_SUM, the errors, and how answerGetMetricData orders, filters and clips a GetMetricData answer.
 */
import { answerGetMetricData, EmptyFill, evaluateExpression, MetricSource, Series } from './helpers/metric-math';

const MINUTE = 60_000;
// The grid of the evaluations below: four one-minute periods.
const [T0, T1, T2, T3] = [0, MINUTE, 2 * MINUTE, 3 * MINUTE];
const GRID = [T0, T1, T2, T3];

const series = (points: Record<number, number>): Series => new Map(Object.entries(points).map(([t, v]) => [Number(t), v]));

function evaluate(expression: string, ids: Record<string, Record<number, number>> = {}, emptyFill: EmptyFill = 'stays-empty'): Series {
  const evaluated = Object.fromEntries(Object.entries(ids).map(([id, points]) => [id, series(points)]));
  return evaluateExpression(expression, { timestamps: GRID, ids: evaluated, emptyFill });
}

describe('evaluateExpression', () => {
  test('a scalar expression is the scalar at every timestamp, with * and / before + and -, left associative', () => {
    expect(evaluate('1 + 2 * 3')).toEqual(series({ [T0]: 7, [T1]: 7, [T2]: 7, [T3]: 7 }));
    expect(evaluate('(1 + 2) * 3')).toEqual(series({ [T0]: 9, [T1]: 9, [T2]: 9, [T3]: 9 }));
    expect(evaluate('10 - 4 - 3')).toEqual(series({ [T0]: 3, [T1]: 3, [T2]: 3, [T3]: 3 }));
    expect(evaluate('16 / 4 / 2')).toEqual(series({ [T0]: 2, [T1]: 2, [T2]: 2, [T3]: 2 }));
    expect(evaluate('0.5 * 1e3 + 12')).toEqual(series({ [T0]: 512, [T1]: 512, [T2]: 512, [T3]: 512 }));
  });

  test('unary minus binds tighter than *', () => {
    expect(evaluate('-a * 2', { a: { [T0]: 3, [T1]: -1 } })).toEqual(series({ [T0]: -6, [T1]: 2 }));
    expect(evaluate('2 * -a', { a: { [T0]: 3 } })).toEqual(series({ [T0]: -6 }));
  });

  test('AND binds tighter than OR, comparisons tighter than both', () => {
    const ids = {
      a: { [T0]: 2, [T1]: 2, [T2]: 0, [T3]: 0 },
      b: { [T0]: 1, [T1]: 3, [T2]: 1, [T3]: 3 },
      c: { [T0]: 0, [T1]: 0, [T2]: 5, [T3]: 0 },
    };
    // ((a > 1) AND (b < 2)) OR c: T0 (1 AND 1) OR 0, T1 (1 AND 0) OR 0, T2 (0 AND 1) OR 5, T3 (0 AND 0) OR 0.
    const expected = series({ [T0]: 1, [T1]: 0, [T2]: 1, [T3]: 0 });
    expect(evaluate('a > 1 AND b < 2 OR c', ids)).toEqual(expected);
    expect(evaluate('a>1&&b<2||c', ids)).toEqual(expected);
    // Grouped the other way, T2 would be 0.
    expect(evaluate('a > 1 AND (b < 2 OR c)', ids)).toEqual(series({ [T0]: 1, [T1]: 0, [T2]: 0, [T3]: 0 }));
  });

  test('NOT and ! bind tighter than +, and give 1 for zero and 0 for anything else', () => {
    const ids = { a: { [T0]: 0, [T1]: 2, [T2]: -0.5 } };
    // (NOT a) + 1; NOT (a + 1) would give 0, 0, 0.
    expect(evaluate('NOT a + 1', ids)).toEqual(series({ [T0]: 2, [T1]: 1, [T2]: 1 }));
    expect(evaluate('!a', ids)).toEqual(series({ [T0]: 1, [T1]: 0, [T2]: 0 }));
    expect(evaluate('NOT NOT a', ids)).toEqual(series({ [T0]: 0, [T1]: 1, [T2]: 1 }));
  });

  test('comparisons give 1 or 0', () => {
    const ids = { a: { [T0]: 1, [T1]: 2, [T2]: 3 } };
    expect(evaluate('a < 2', ids)).toEqual(series({ [T0]: 1, [T1]: 0, [T2]: 0 }));
    expect(evaluate('a <= 2', ids)).toEqual(series({ [T0]: 1, [T1]: 1, [T2]: 0 }));
    expect(evaluate('a > 2', ids)).toEqual(series({ [T0]: 0, [T1]: 0, [T2]: 1 }));
    expect(evaluate('a >= 2', ids)).toEqual(series({ [T0]: 0, [T1]: 1, [T2]: 1 }));
    expect(evaluate('a == 2', ids)).toEqual(series({ [T0]: 0, [T1]: 1, [T2]: 0 }));
    expect(evaluate('a != 2', ids)).toEqual(series({ [T0]: 1, [T1]: 0, [T2]: 1 }));
  });

  test('two series combine only where both have a point; a scalar applies to every point', () => {
    const ids = { a: { [T0]: 1, [T1]: 2, [T3]: 4 }, b: { [T1]: 10, [T2]: 20, [T3]: 40 } };
    expect(evaluate('a + b', ids)).toEqual(series({ [T1]: 12, [T3]: 44 }));
    expect(evaluate('a * 10', ids)).toEqual(series({ [T0]: 10, [T1]: 20, [T3]: 40 }));
    expect(evaluate('100 - b', ids)).toEqual(series({ [T1]: 90, [T2]: 80, [T3]: 60 }));
  });

  test('a division by zero leaves the point out', () => {
    const ids = { a: { [T0]: 6, [T1]: 0, [T2]: 3 }, b: { [T0]: 2, [T1]: 0, [T2]: 0 } };
    // T1 is 0 / 0, T2 is 3 / 0.
    expect(evaluate('a / b', ids)).toEqual(series({ [T0]: 3 }));
    expect(evaluate('a / 0', ids)).toEqual(new Map());
    expect(evaluate('1 / 0')).toEqual(new Map());
    expect(evaluate('(1 / 0) + a', ids)).toEqual(new Map());
  });

  test('IF with three arguments takes the second where the condition is not zero, the third where it is zero', () => {
    const ids = {
      c: { [T0]: 1, [T1]: 0, [T2]: 2, [T3]: 0 },
      a: { [T0]: 10, [T1]: 11 },
      b: { [T0]: 20, [T1]: 21, [T3]: 23 },
    };
    // T2 takes a, which has no point there.
    expect(evaluate('IF(c, a, b)', ids)).toEqual(series({ [T0]: 10, [T1]: 21, [T3]: 23 }));
    expect(evaluate('IF(c, a, -1)', ids)).toEqual(series({ [T0]: 10, [T1]: -1, [T3]: -1 }));
    expect(evaluate('IF(a > 10, a, 0)', ids)).toEqual(series({ [T0]: 0, [T1]: 11 }));
    // A scalar condition holds at every timestamp.
    expect(evaluate('IF(0, a, 7)', ids)).toEqual(series({ [T0]: 7, [T1]: 7, [T2]: 7, [T3]: 7 }));
    expect(evaluate('IF(1, a, 7)', ids)).toEqual(series({ [T0]: 10, [T1]: 11 }));
  });

  test('IF with two arguments leaves out the points where the condition is zero', () => {
    const ids = { c: { [T0]: 1, [T1]: 0, [T2]: 2, [T3]: 0 }, b: { [T0]: 20, [T1]: 21, [T3]: 23 } };
    // T1 and T3: condition zero; T2: b has no point.
    expect(evaluate('IF(c, b)', ids)).toEqual(series({ [T0]: 20 }));
    expect(evaluate('IF(c, 5)', ids)).toEqual(series({ [T0]: 5, [T2]: 5 }));
  });

  test.each<EmptyFill>(['stays-empty', 'fills-range'])('FILL gives every timestamp a point, for a series with some points (%s)', (emptyFill) => {
    expect(evaluate('FILL(a, 0)', { a: { [T1]: 5 } }, emptyFill)).toEqual(series({ [T0]: 0, [T1]: 5, [T2]: 0, [T3]: 0 }));
    expect(evaluate('FILL(a, -1)', { a: { [T0]: 1, [T3]: 2 } }, emptyFill)).toEqual(series({ [T0]: 1, [T1]: -1, [T2]: -1, [T3]: 2 }));
  });

  test('FILL of a series without any point follows emptyFill', () => {
    expect(evaluate('FILL(a, 3)', { a: {} }, 'stays-empty')).toEqual(new Map());
    expect(evaluate('FILL(a, 3)', { a: {} }, 'fills-range')).toEqual(series({ [T0]: 3, [T1]: 3, [T2]: 3, [T3]: 3 }));
  });

  test('FILL with a series as the value throws', () => {
    expect(() => evaluate('FILL(a, a)', { a: { [T0]: 1 } })).toThrow(/FILL/);
  });

  test('FLOOR rounds each point down, and a scalar', () => {
    expect(evaluate('FLOOR(a)', { a: { [T0]: 2.9, [T1]: -0.5, [T3]: 4 } })).toEqual(series({ [T0]: 2, [T1]: -1, [T3]: 4 }));
    expect(evaluate('FLOOR(10 * 7 / 100)')).toEqual(series({ [T0]: 0, [T1]: 0, [T2]: 0, [T3]: 0 }));
  });

  test('RUNNING_SUM sums up to each point, skipping the gaps', () => {
    expect(evaluate('RUNNING_SUM(a)', { a: { [T0]: 1, [T2]: 2, [T3]: 3 } })).toEqual(series({ [T0]: 1, [T2]: 3, [T3]: 6 }));
    expect(evaluate('RUNNING_SUM(FILL(a, 0))', { a: { [T1]: 4, [T3]: 1 } })).toEqual(series({ [T0]: 0, [T1]: 4, [T2]: 4, [T3]: 5 }));
    // In time order, whatever the order the series holds its points in.
    const unordered = new Map([[T3, 3], [T0, 1], [T2, 2]]);
    expect(evaluateExpression('RUNNING_SUM(a)', { timestamps: GRID, ids: { a: unordered }, emptyFill: 'stays-empty' }))
      .toEqual(series({ [T0]: 1, [T2]: 3, [T3]: 6 }));
  });

  test('whitespace is ignored', () => {
    expect(evaluate(' \n a*2\t+ IF ( a ,1 )  ', { a: { [T0]: 3 } })).toEqual(series({ [T0]: 7 }));
  });

  test('an unknown id throws', () => {
    expect(() => evaluate('a + nope', { a: { [T0]: 1 } })).toThrow(/unknown id nope/);
    expect(() => evaluate('constructor')).toThrow(/unknown id constructor/);
  });

  test('an unsupported function throws', () => {
    expect(() => evaluate('MAX(a)', { a: {} })).toThrow(/unsupported function MAX/);
    expect(() => evaluate('fill(a, 0)', { a: {} })).toThrow(/unsupported function fill/);
    expect(() => evaluate('Fill(a, 0)', { a: {} })).toThrow(/unsupported function Fill/);
  });

  test.each([
    '1 +', '(a', 'a)', 'a b', 'a = 1', '2 ** 3', 'IF(a,)', 'IF(a)', 'FILL(a, 0, 1)', 'RUNNING_SUM()', 'A + 1', 'a & b', '', '1 2',
  ])('a syntax error throws: %j', (expression) => {
    expect(() => evaluate(expression, { a: { [T0]: 1 }, b: { [T0]: 1 } })).toThrow(/syntax error/);
  });
});

describe('answerGetMetricData', () => {
  const dimensions = [{ Name: 'EndpointName', Value: 'prod' }];
  const metricStat = (metricName: string, period = 60) => ({
    Metric: { Namespace: 'AWS/SageMaker', MetricName: metricName, Dimensions: dimensions }, Period: period, Stat: 'Sum',
  });
  const at = (iso: string) => Date.parse(iso);
  const raw: Record<string, Series> = {
    Invocations: new Map([
      [at('2023-12-31T23:59:00Z'), 1000], // before StartTime
      [at('2024-01-01T00:00:00Z'), 10],
      [at('2024-01-01T00:01:00Z'), 20],
      [at('2024-01-01T00:02:30Z'), 1000], // between two periods
      [at('2024-01-01T00:03:00Z'), 40],
      [at('2024-01-01T00:04:00Z'), 1000], // at EndTime
    ]),
    Invocation5XXErrors: new Map([
      [at('2024-01-01T00:00:00Z'), 1],
      [at('2024-01-01T00:01:00Z'), 0],
      [at('2024-01-01T00:02:00Z'), 3],
      [at('2024-01-01T00:03:00Z'), 2],
    ]),
  };
  const source: MetricSource = (stat) => {
    expect(stat.Metric.Dimensions).toEqual(dimensions);
    return raw[stat.Metric.MetricName];
  };
  const queries = [
    { Id: 'ratio', Expression: '100 * errors / total', Label: 'Error rate' },
    { Id: 'total', Expression: 'FILL(invocations, 0)', ReturnData: false },
    { Id: 'errors', MetricStat: metricStat('Invocation5XXErrors'), ReturnData: false },
    { Id: 'invocations', MetricStat: metricStat('Invocations'), Label: 'Invocations', ReturnData: false },
  ];
  const request = (MetricDataQueries: any[], more: object = {}) => ({
    MetricDataQueries, StartTime: '2024-01-01T00:00:00Z', EndTime: '2024-01-01T00:04:00Z', ...more,
  });
  // total is 10, 20, 0 (filled), 40; ratio is 100 * 1 / 10, 100 * 0 / 20, 100 * 3 / 0 (left out), 100 * 2 / 40.
  const ratio = {
    Id: 'ratio',
    Label: 'Error rate',
    StatusCode: 'Complete',
    Timestamps: ['2024-01-01T00:03:00.000Z', '2024-01-01T00:01:00.000Z', '2024-01-01T00:00:00.000Z'],
    Values: [5, 0, 10],
  };

  test('evaluates the expressions in dependency order, whatever the order of the list, and returns only ReturnData queries, newest first', () => {
    expect(answerGetMetricData(request(queries), source, 'stays-empty')).toEqual({ MetricDataResults: [ratio] });
    expect(answerGetMetricData(request([...queries].reverse()), source, 'stays-empty')).toEqual({ MetricDataResults: [ratio] });
  });

  test('returns oldest first with ScanBy TimestampAscending', () => {
    expect(answerGetMetricData(request(queries, { ScanBy: 'TimestampAscending' }), source, 'stays-empty')).toEqual({
      MetricDataResults: [{ ...ratio, Timestamps: [...ratio.Timestamps].reverse(), Values: [10, 0, 5] }],
    });
  });

  test('keeps only the source points on the grid of periods within [StartTime, EndTime)', () => {
    const answer = answerGetMetricData(request([{ Id: 'invocations', MetricStat: metricStat('Invocations'), Label: 'Invocations' }], {
      ScanBy: 'TimestampAscending',
    }), source, 'stays-empty');
    expect(answer).toEqual({
      MetricDataResults: [{
        Id: 'invocations',
        Label: 'Invocations',
        StatusCode: 'Complete',
        Timestamps: ['2024-01-01T00:00:00.000Z', '2024-01-01T00:01:00.000Z', '2024-01-01T00:03:00.000Z'],
        Values: [10, 20, 40],
      }],
    });
  });

  test('takes StartTime and EndTime as Date or epoch seconds too', () => {
    const start = at('2024-01-01T00:00:00Z');
    const end = at('2024-01-01T00:04:00Z');
    expect(answerGetMetricData(request(queries, { StartTime: new Date(start), EndTime: new Date(end) }), source, 'stays-empty'))
      .toEqual({ MetricDataResults: [ratio] });
    expect(answerGetMetricData(request(queries, { StartTime: start / 1000, EndTime: end / 1000 }), source, 'stays-empty'))
      .toEqual({ MetricDataResults: [ratio] });
  });

  test('a scalar expression has a point in every period', () => {
    const answer = answerGetMetricData(request([
      { Id: 'limit', Expression: '2 * 3', Label: 'Limit' }, { Id: 'errors', MetricStat: metricStat('Invocation5XXErrors'), ReturnData: false },
    ]), source, 'stays-empty');
    expect(answer.MetricDataResults[0].Values).toEqual([6, 6, 6, 6]);
    expect(answer.MetricDataResults[0].Timestamps[0]).toBe('2024-01-01T00:03:00.000Z');
  });

  test('throws when the MetricStat queries have different periods', () => {
    expect(() => answerGetMetricData(request([
      { Id: 'errors', MetricStat: metricStat('Invocation5XXErrors', 60) }, { Id: 'invocations', MetricStat: metricStat('Invocations', 300) },
    ]), source, 'stays-empty')).toThrow(/period/);
  });

  test('throws on an unknown id, a cycle, a syntax error or an unsupported function', () => {
    const errors = { Id: 'errors', MetricStat: metricStat('Invocation5XXErrors') };
    const answer = (expression: string) => answerGetMetricData(request([{ Id: 'e', Expression: expression }, errors]), source, 'stays-empty');
    expect(() => answer('errors + missing')).toThrow(/unknown id missing/);
    expect(() => answer('errors +')).toThrow(/syntax error/);
    expect(() => answer('ABS(errors)')).toThrow(/unsupported function ABS/);
    expect(() => answerGetMetricData(request([
      { Id: 'a', Expression: 'b + errors' }, { Id: 'b', Expression: 'a * 2', ReturnData: false }, errors,
    ]), source, 'stays-empty')).toThrow(/cycle/);
  });
});

describe('answerGetMetricData with MaxDatapoints', () => {
  const request = (maxDatapoints: number, returned: string[]) => ({
    StartTime: 0,
    EndTime: 240,
    ScanBy: 'TimestampDescending',
    MaxDatapoints: maxDatapoints,
    MetricDataQueries: [
      { Id: 'm', MetricStat: { Metric: { Namespace: 'N', MetricName: 'M' }, Period: 60, Stat: 'Sum' }, ReturnData: returned.includes('m') },
      { Id: 'total', Expression: 'RUNNING_SUM(FILL(m, 0))', ReturnData: returned.includes('total') },
    ],
  });
  const source: MetricSource = () => series({ [T0]: 1, [T1]: 2, [T3]: 4 });

  test('keeps the newest points of a single returned series', () => {
    const answer = answerGetMetricData(request(1, ['total']), source, 'stays-empty');
    expect(answer.MetricDataResults).toEqual([{ Id: 'total', Label: 'total', Timestamps: [new Date(T3).toISOString()], Values: [7], StatusCode: 'Complete' }]);
  });

  test('refuses several returned series, whose paging is not documented', () => {
    expect(() => answerGetMetricData(request(1, ['m', 'total']), source, 'stays-empty')).toThrow(/one returned series/);
  });
});

