/*
 * A small interpreter of CloudWatch metric math, written from its documentation, so that tests can answer the library's
 * GetMetricData requests from drawn raw time series as CloudWatch would. It knows only the subset the library writes and
 * throws on anything else, so that a new construct in the library fails loudly here instead of being evaluated wrongly.
 */

/** A time series: timestamp in epoch milliseconds -> value. */
export type Series = Map<number, number>;

/** What FILL() does with a series that has no data point at all in the range: CloudWatch does not document it, so tests run both. */
export type EmptyFill = 'stays-empty' | 'fills-range';

export interface Evaluation {
  /** The timestamps of the query's periods: StartTime, StartTime + Period, ... < EndTime (ascending). */
  readonly timestamps: number[];
  /** The values of ids (metric queries and other expressions), already evaluated. */
  readonly ids: Record<string, Series>;
  readonly emptyFill: EmptyFill;
}

/** One raw metric's data, looked up by the query's MetricStat. */
export type MetricSource = (stat: {
  Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] }; Period: number; Stat: string;
}) => Series;

type Node =
  | { kind: 'number'; value: number }
  | { kind: 'id'; name: string }
  | { kind: 'unary'; op: string; operand: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'call'; name: string; args: Node[] };

// A scalar stays a number until it meets a series, so that scalar with scalar gives a scalar.
type Value = number | Series;

interface Token { readonly kind: 'number' | 'name' | 'op'; readonly text: string }

// Metric math ids start with a lower-case letter; function names and the NOT/AND/OR keywords are upper case.
const ID = /^[a-z][a-zA-Z0-9_]*$/;
const TOKEN = /\s+|(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([a-zA-Z][a-zA-Z0-9_]*)|(<=|>=|==|!=|&&|\|\||[-+*/<>!(),])/y;

/** The functions known, with their least and greatest number of arguments. */
const FUNCTIONS = new Map<string, [number, number]>([['IF', [2, 3]], ['FILL', [2, 2]], ['RUNNING_SUM', [1, 1]], ['FLOOR', [1, 1]]]);

const truth = (condition: boolean) => (condition ? 1 : 0);
const BINARY = new Map<string, (x: number, y: number) => number>([
  ['*', (x, y) => x * y], ['/', (x, y) => x / y], ['+', (x, y) => x + y], ['-', (x, y) => x - y],
  ['<', (x, y) => truth(x < y)], ['>', (x, y) => truth(x > y)], ['<=', (x, y) => truth(x <= y)], ['>=', (x, y) => truth(x >= y)],
  ['==', (x, y) => truth(x === y)], ['!=', (x, y) => truth(x !== y)],
  ['&&', (x, y) => truth(x !== 0 && y !== 0)], ['||', (x, y) => truth(x !== 0 || y !== 0)],
]);

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (!match) throw new Error(`syntax error: unexpected '${expression[at]}' at ${at} in '${expression}'`);
    const [text, number, name, op] = match;
    if (op !== undefined || name !== undefined || number !== undefined) {
      tokens.push({ kind: number !== undefined ? 'number' : name !== undefined ? 'name' : 'op', text });
    }
  }
  return tokens;
}

/** Parses by recursive descent, one function per precedence level, lowest first. */
function parse(expression: string): Node {
  const tokens = tokenize(expression);
  let next = 0;
  const peek = (): string | undefined => tokens[next]?.text;
  const fail = (what: string): never => { throw new Error(`syntax error: ${what} in '${expression}'`); };
  const expect = (text: string) => {
    if (peek() !== text) fail(`expected '${text}' but found ${peek() === undefined ? 'the end' : `'${peek()}'`}`);
    next++;
  };
  // Loops rather than recurses on the right, so that operators of one level associate to the left.
  const level = (ops: Record<string, string>, operand: () => Node) => (): Node => {
    let left = operand();
    for (let op = peek(); op !== undefined && Object.prototype.hasOwnProperty.call(ops, op); op = peek()) {
      next++;
      left = { kind: 'binary', op: ops[op], left, right: operand() };
    }
    return left;
  };
  const unary = (): Node => {
    const op = peek();
    if (op === '-' || op === '!' || op === 'NOT') {
      next++;
      return { kind: 'unary', op: op === '-' ? '-' : '!', operand: unary() };
    }
    return primary();
  };
  const multiplicative = level({ '*': '*', '/': '/' }, unary);
  const additive = level({ '+': '+', '-': '-' }, multiplicative);
  const comparison = level({ '<': '<', '>': '>', '<=': '<=', '>=': '>=', '==': '==', '!=': '!=' }, additive);
  const and = level({ 'AND': '&&', '&&': '&&' }, comparison);
  const or = level({ 'OR': '||', '||': '||' }, and);
  function primary(): Node {
    const token = tokens[next++];
    if (token === undefined) return fail('unexpected end');
    if (token.kind === 'number') return { kind: 'number', value: Number(token.text) };
    if (token.text === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    if (token.kind === 'name' && peek() === '(') {
      const arity = FUNCTIONS.get(token.text);
      if (arity === undefined) throw new Error(`unsupported function ${token.text} in '${expression}'`);
      next++;
      const args: Node[] = [or()];
      while (peek() === ',') {
        next++;
        args.push(or());
      }
      expect(')');
      if (args.length < arity[0] || args.length > arity[1]) fail(`${token.text} takes ${arity.join(' to ')} arguments, not ${args.length}`);
      return { kind: 'call', name: token.text, args };
    }
    if (token.kind === 'name' && ID.test(token.text)) return { kind: 'id', name: token.text };
    return fail(`unexpected '${token.text}'`);
  }
  const tree = or();
  if (next < tokens.length) fail(`unexpected '${peek()}'`);
  return tree;
}

/** The ids an expression reads. */
function idsIn(node: Node): string[] {
  switch (node.kind) {
    case 'number': return [];
    case 'id': return [node.name];
    case 'unary': return idsIn(node.operand);
    case 'binary': return [...idsIn(node.left), ...idsIn(node.right)];
    case 'call': return node.args.flatMap(idsIn);
  }
}

// CloudWatch leaves out the points whose value is not a number (division by zero, among others); +0 stands for -0,
// as a JSON answer has no negative zero.
function put(series: Series, timestamp: number, value: number): void {
  if (Number.isFinite(value)) series.set(timestamp, value + 0);
}

/** A scalar as a series: the scalar at every timestamp of the query. */
function asSeries(value: Value, evaluation: Evaluation): Series {
  return typeof value === 'number' ? new Map(evaluation.timestamps.map((t) => [t, value])) : value;
}

function combine(a: Value, b: Value, f: (x: number, y: number) => number): Value {
  if (typeof a === 'number' && typeof b === 'number') {
    const value = f(a, b);
    // A scalar without a value has no value anywhere: an empty series.
    return Number.isFinite(value) ? value + 0 : new Map();
  }
  const result: Series = new Map();
  for (const t of (typeof a === 'number' ? b as Series : a).keys()) {
    const x = typeof a === 'number' ? a : a.get(t);
    const y = typeof b === 'number' ? b : b.get(t);
    // Two series meet only where both have a point.
    if (x !== undefined && y !== undefined) put(result, t, f(x, y));
  }
  return result;
}

function evaluate(node: Node, evaluation: Evaluation): Value {
  switch (node.kind) {
    case 'number': return node.value;
    case 'id':
      // hasOwnProperty, so that an id such as `constructor` is not found on Object.prototype.
      if (!Object.prototype.hasOwnProperty.call(evaluation.ids, node.name)) throw new Error(`unknown id ${node.name}`);
      return evaluation.ids[node.name];
    // The scalar 0 applies to every point, so combining with it maps each point of the operand.
    case 'unary': return combine(evaluate(node.operand, evaluation), 0, node.op === '-' ? (x) => -x : (x) => truth(x === 0));
    case 'binary': return combine(evaluate(node.left, evaluation), evaluate(node.right, evaluation), BINARY.get(node.op)!);
    case 'call': return call(node.name, node.args.map((arg) => evaluate(arg, evaluation)), evaluation);
  }
}

function call(name: string, args: Value[], evaluation: Evaluation): Value {
  const result: Series = new Map();
  if (name === 'IF') {
    const [condition, whenTrue, whenFalse] = args;
    for (const [t, c] of asSeries(condition, evaluation)) {
      // Without a third argument, the points where the condition is zero are left out.
      const chosen = c !== 0 ? whenTrue : whenFalse;
      const value = chosen === undefined || typeof chosen === 'number' ? chosen : chosen.get(t);
      if (value !== undefined) put(result, t, value);
    }
  } else if (name === 'FILL') {
    const [input, fill] = args;
    if (typeof fill !== 'number') throw new Error('unsupported function FILL with a value that is not a number');
    const series = asSeries(input, evaluation);
    if (series.size === 0 && evaluation.emptyFill === 'stays-empty') return result;
    for (const t of evaluation.timestamps) put(result, t, series.get(t) ?? fill);
  } else if (name === 'FLOOR') {
    const [input] = args;
    if (typeof input === 'number') return Math.floor(input);
    for (const [t, value] of input) put(result, t, Math.floor(value));
  } else { // RUNNING_SUM, as parse lets no other function through
    let sum = 0;
    for (const [t, value] of [...asSeries(args[0], evaluation)].sort(([a], [b]) => a - b)) {
      sum += value;
      put(result, t, sum);
    }
  }
  return result;
}

/** Evaluates one metric math expression to a series (a scalar result is a series with the scalar at every timestamp). */
export function evaluateExpression(expression: string, evaluation: Evaluation): Series {
  return asSeries(evaluate(parse(expression), evaluation), evaluation);
}

function epochMillis(time: unknown): number {
  const millis = time instanceof Date ? time.getTime()
    : typeof time === 'number' ? time * 1000
      : typeof time === 'string' ? Date.parse(time) : NaN;
  if (!Number.isFinite(millis)) throw new Error(`not a time: ${String(time)}`);
  return millis;
}

/**
 * Answers a GetMetricData request ({ MetricDataQueries, StartTime, EndTime, ScanBy? } as the AWS SDK for JavaScript v3
 * takes it, StartTime/EndTime as ISO-8601 strings or Date or epoch seconds numbers) like CloudWatch: evaluates every
 * query (MetricStat queries through `source`, Expression queries in dependency order, whatever the order of the list),
 * and returns { MetricDataResults: [{ Id, Label, Timestamps (ISO strings), Values, StatusCode: 'Complete' }] } for the
 * queries whose ReturnData is not false, with Timestamps/Values newest first unless ScanBy is 'TimestampAscending',
 * and only the first MaxDatapoints points of a request that returns one series.
 * Throws on an unknown id, a cycle, a syntax error, or an unsupported function.
 */
export function answerGetMetricData(request: any, source: MetricSource, emptyFill: EmptyFill): any {
  const queries: any[] = request.MetricDataQueries;
  const start = epochMillis(request.StartTime);
  const end = epochMillis(request.EndTime);
  // One grid for the whole request: an explicit Period on an expression query must agree with the metrics' too.
  const periods = new Set(queries.flatMap((q) => [q.MetricStat?.Period, q.Period].filter((p) => p !== undefined)));
  const [period] = periods;
  if (periods.size !== 1 || !(period > 0)) throw new Error(`the queries must share one period, not ${[...periods].join(', ') || 'none'}`);
  const timestamps: number[] = [];
  for (let t = start; t < end; t += period * 1000) timestamps.push(t);

  const byId = new Map(queries.map((q) => [q.Id, q]));
  if (byId.size !== queries.length) throw new Error('duplicate query ids');
  const ids: Record<string, Series> = {};
  const evaluation: Evaluation = { timestamps, ids, emptyFill };
  // Started but not yet evaluated: reaching one again is a cycle.
  const started = new Set<string>();
  const evaluateId = (id: string): void => {
    if (Object.prototype.hasOwnProperty.call(ids, id)) return;
    const query = byId.get(id);
    if (query === undefined) throw new Error(`unknown id ${id}`);
    if (started.has(id)) throw new Error(`cycle through id ${id}`);
    if (!ID.test(id)) throw new Error(`invalid id ${id}`);
    if ((query.MetricStat === undefined) === (query.Expression === undefined)) throw new Error(`query ${id} needs one of MetricStat or Expression`);
    started.add(id);
    if (query.MetricStat !== undefined) {
      const raw = source(query.MetricStat);
      // Only the points on the grid: CloudWatch aggregates a metric into the request's periods.
      const series: Series = new Map();
      for (const t of timestamps) {
        const value = raw.get(t);
        if (value !== undefined) put(series, t, value);
      }
      ids[id] = series;
    } else {
      const tree = parse(query.Expression);
      idsIn(tree).forEach(evaluateId);
      ids[id] = asSeries(evaluate(tree, evaluation), evaluation);
    }
  };
  queries.forEach((q) => evaluateId(q.Id));

  const ascending = request.ScanBy === 'TimestampAscending';
  const returned = queries.filter((q) => q.ReturnData !== false);
  // How CloudWatch pages several series is not documented: only a single series' first page is modelled.
  if (request.MaxDatapoints !== undefined && returned.length !== 1) throw new Error('MaxDatapoints is modelled for one returned series only');
  return {
    MetricDataResults: returned.map((q) => {
      const points = [...ids[q.Id]].sort(([a], [b]) => (ascending ? a - b : b - a)).slice(0, request.MaxDatapoints ?? Infinity);
      // Without a Label, CloudWatch labels a metric with its name.
      const label = q.Label ?? (q.MetricStat !== undefined ? q.MetricStat.Metric.MetricName : q.Id);
      const isoTimes = points.map(([t]) => new Date(t).toISOString());
      return { Id: q.Id, Label: label, Timestamps: isoTimes, Values: points.map(([, value]) => value), StatusCode: 'Complete' };
    }),
  };
}
