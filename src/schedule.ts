import { Duration } from 'aws-cdk-lib';
import { checkKind, DATE, instanceOf } from './private/kinds';
import { ProblemCollector } from './private/validation';

/**
 * When a shadow test runs.
 *
 * Without a schedule, SageMaker starts the test as soon as it is created and concludes it after 7 days. A
 * schedule lasts at least 1 hour and at most 30 days; the construct checks it at synth time.
 *
 * @example
 * const twoWeeks = Schedule.startingAt(new Date('2027-01-04T09:00:00Z'), Duration.days(14));
 * const window = Schedule.between(new Date('2027-01-04T09:00:00Z'), new Date('2027-01-18T09:00:00Z'));
 */
export class Schedule {
  /**
   * A test that runs from `startTime` to `endTime`.
   *
   * @param startTime when the test starts
   * @param endTime when the test ends; after `startTime`, by 1 hour to 30 days
   */
  public static between(startTime: Date, endTime: Date): Schedule {
    const problems = new ProblemCollector();
    checkKind(problems, 'startTime', startTime, DATE);
    checkKind(problems, 'endTime', endTime, DATE);
    problems.throwIfAny('Schedule.between()');
    return new Schedule(startTime, endTime);
  }

  /**
   * A test that starts at `startTime` and runs for `duration`.
   *
   * @param startTime when the test starts
   * @param duration how long the test runs: from 1 hour to 30 days
   */
  public static startingAt(startTime: Date, duration: Duration): Schedule {
    const problems = new ProblemCollector();
    checkKind(problems, 'startTime', startTime, DATE);
    checkKind(problems, 'duration', duration, instanceOf(Duration, 'a Duration, such as Duration.days(7)'));
    problems.throwIfAny('Schedule.startingAt()');
    if (duration.isUnresolved()) {
      throw new Error('Schedule.startingAt: the duration must be a concrete value, not a token, because the end ' +
        'time is computed at synth time. Use Schedule.between() to give the end time yourself.');
    }
    return new Schedule(startTime, new Date(startTime.getTime() + duration.toMilliseconds()));
  }

  private constructor(
    /** When the test starts. */
    public readonly startTime: Date,
    /** When the test ends. */
    public readonly endTime: Date,
  ) {}
}
