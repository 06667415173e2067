import { aws_iam as iam, aws_sagemaker as sagemaker, Resource } from 'aws-cdk-lib';
import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { sageMakerArn } from './private/arns';
import { checkKind, SCOPE, STRING } from './private/kinds';
import { ProblemCollector } from './private/validation';

/**
 * References to SageMaker endpoints that exist outside this app.
 */
export class ExistingEndpoint {
  /**
   * An existing endpoint, by its name.
   *
   * The name keeps its case: SageMaker ARNs carry names in lower case, so a name can not be recovered from an ARN.
   *
   * @param scope the scope of the reference
   * @param id the id of the reference
   * @param endpointName the name of the endpoint, exactly as it was created
   */
  public static fromEndpointName(scope: Construct, id: string, endpointName: string): sagemaker.IEndpoint {
    const problems = new ProblemCollector();
    checkKind(problems, 'scope', scope, SCOPE);
    checkKind(problems, 'id', id, STRING);
    checkKind(problems, 'endpointName', endpointName, STRING);
    problems.throwIfAny('ExistingEndpoint.fromEndpointName()');
    return new EndpointByName(scope, id, endpointName);
  }

  private constructor() {}
}

class EndpointByName extends Resource implements sagemaker.IEndpoint {
  public readonly endpointName: string;
  public readonly endpointArn: string;

  constructor(scope: Construct, id: string, endpointName: string) {
    super(scope, id);
    this.endpointName = endpointName;
    this.endpointArn = sageMakerArn(this, 'endpoint', endpointName);
  }

  public get endpointRef(): sagemakerRefs.EndpointReference {
    return { endpointArn: this.endpointArn };
  }

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:InvokeEndpoint'],
      resourceArns: [this.endpointArn],
    });
  }
}
