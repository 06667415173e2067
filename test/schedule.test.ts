import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Schedule } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

describe('Schedule', () => {
  test('between() writes both instants in ISO-8601', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ schedule: Schedule.between(new Date('2027-01-04T09:00:00Z'), new Date('2027-01-18T17:30:00Z')) });

    Template.fromStack(parts.stack).hasResourceProperties('AWS::SageMaker::InferenceExperiment', {
      Schedule: { StartTime: '2027-01-04T09:00:00.000Z', EndTime: '2027-01-18T17:30:00.000Z' },
    });
  });

  test('startingAt() ends the test after the duration', () => {
    const schedule = Schedule.startingAt(new Date('2027-01-04T09:00:00+01:00'), Duration.days(14));
    expect(schedule.startTime.toISOString()).toBe('2027-01-04T08:00:00.000Z');
    expect(schedule.endTime.toISOString()).toBe('2027-01-18T08:00:00.000Z');
  });
});
