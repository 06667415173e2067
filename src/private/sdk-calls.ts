import { Duration, aws_stepfunctions as sfn } from 'aws-cdk-lib';

/*
 * How the library's workflows call AWS: each call has a time-out, and every error that retrying may heal is retried
 * with backoff, so that a workflow that runs when nobody watches outlasts throttling and transient faults.
 */

/** How long one SDK call may take: a call that hangs is then retried, or fails the run, rather than using it up. */
export const CALL_TIMEOUT = Duration.seconds(5);

/** The backoff between attempts of a call: exponential, capped, with full jitter so that parallel runs spread out. */
export const BACKOFF = {
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: 3,
  maxDelay: Duration.seconds(4),
  jitterStrategy: sfn.JitterType.FULL,
};

/*
 * The errors that retrying cannot heal. Every other error is retried: throttling and internal errors surface under
 * several names (`SageMaker.ThrottlingException`, or a generic `SageMaker.SageMakerException`), and a needless retry
 * costs a few seconds of a run whose longest duration is bounded anyway, where a missed one leaves a failing test
 * running.
 */
const PERMANENT_STATE_ERRORS = ['States.Permissions', 'States.ParameterPathFailure', 'States.ResultPathMatchFailure', 'States.IntrinsicFailure'];

/** SageMaker's errors that retrying cannot heal. */
export const PERMANENT_SAGEMAKER_ERRORS = [
  'SageMaker.ResourceNotFoundException', 'SageMaker.ValidationException', 'SageMaker.AccessDeniedException',
  // Stopping a test that is not Running: the workflow describes it again instead.
  'SageMaker.ConflictException',
  ...PERMANENT_STATE_ERRORS,
];

/** SNS's errors that retrying cannot heal. */
export const PERMANENT_SNS_ERRORS = [
  'SNS.NotFoundException', 'SNS.AuthorizationErrorException', 'SNS.InvalidParameterException',
  'SNS.InvalidParameterValueException', 'SNS.InvalidSecurityException', 'SNS.KMSAccessDeniedException',
  'SNS.KMSDisabledException', 'SNS.KMSInvalidStateException', 'SNS.KMSNotFoundException', 'SNS.KMSOptInRequiredException',
  ...PERMANENT_STATE_ERRORS,
];

/** CloudWatch's errors that retrying cannot heal. */
export const PERMANENT_CLOUDWATCH_ERRORS = [
  'CloudWatch.InvalidParameterValueException', 'CloudWatch.InvalidParameterCombinationException',
  'CloudWatch.MissingRequiredParameterException', 'CloudWatch.InvalidNextTokenException',
  'CloudWatch.AccessDeniedException', 'CloudWatch.ValidationException',
  ...PERMANENT_STATE_ERRORS,
];

/** EventBridge's errors that retrying cannot heal. */
export const PERMANENT_EVENTBRIDGE_ERRORS = [
  'EventBridge.AccessDeniedException', 'EventBridge.ValidationException', 'EventBridge.ResourceNotFoundException',
  ...PERMANENT_STATE_ERRORS,
];

/** A state that can be retried: an SDK task, or a custom task state. */
interface Retryable {
  addRetry(props: sfn.RetryProps): unknown;
}

/**
 * Gives `task` no retry on `permanentErrors`, and retries with backoff on any other error. `States.TaskFailed`
 * matches every error of a task except `States.Timeout`, hence both; a retrier listed first wins.
 */
export function withRetries<T extends Retryable>(task: T, permanentErrors: string[]): T {
  task.addRetry({ errors: permanentErrors, maxAttempts: 0 });
  task.addRetry({ errors: ['States.TaskFailed', 'States.Timeout'], ...BACKOFF });
  return task;
}
