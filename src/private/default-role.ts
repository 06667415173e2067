import { aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ROLES_NAMED_AT_DEPLOY_TIME } from './environments';

/** IAM role descriptions: at most 1000 characters of tab, new lines, and printable Latin-1. */
const ROLE_DESCRIPTION_MAX_LENGTH = 1000;
const ROLE_DESCRIPTION_REFUSED = /[^\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]/g;

/**
 * The role that SageMaker assumes for `experiment` when none is given: trusted by SageMaker only, and granted the
 * least privilege that the test needs afterwards.
 */
export function defaultRole(experiment: Construct): iam.Role {
  const role = new iam.Role(experiment, 'Role', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    description: roleDescription(experiment),
  });
  // Unnamed, as aws-cdk-lib's roles are by default: a name that could be generated on demand would cost every
  // experiment a token to resolve, for the rare create() grant to a principal of another region.
  ROLES_NAMED_AT_DEPLOY_TIME.add(role);
  return role;
}

/** The description of the default role: the experiment's path, in the characters and length that IAM accepts. */
function roleDescription(experiment: Construct): string {
  const description = `Assumed by SageMaker to run the shadow test ${experiment.node.path}`.replace(ROLE_DESCRIPTION_REFUSED, '?');
  // Characters, not UTF-16 units, count; a description that short in units is short enough in characters.
  return description.length <= ROLE_DESCRIPTION_MAX_LENGTH ? description : [...description].slice(0, ROLE_DESCRIPTION_MAX_LENGTH).join('');
}
