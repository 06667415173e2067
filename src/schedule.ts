import { Duration } from 'aws-cdk-lib';

/**
 * When a shadow test runs.
 *
 * Without a schedule, SageMaker starts the test as soon as it is created and concludes it after 7 days. A
 * schedule lasts at least 1 hour and at most 30 days; the construct checks it at synth time.
 */
export class Schedule {
  /**
   * A test that runs from `startTime` to `endTime`.
   *
   * @param startTime when the test starts
   * @param endTime when the test ends; after `startTime`, by 1 hour to 30 days
   */
  public static between(startTime: Date, endTime: Date): Schedule {
    return new Schedule(startTime, endTime);
  }

  /**
   * A test that starts at `startTime` and runs for `duration`.
   *
   * @param startTime when the test starts
   * @param duration how long the test runs: from 1 hour to 30 days
   */
  public static startingAt(startTime: Date, duration: Duration): Schedule {
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
