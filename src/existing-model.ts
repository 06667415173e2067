import { IResource, Resource } from 'aws-cdk-lib';
import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { sageMakerArn } from './private/arns';
import { checkKind, SCOPE, STRING } from './private/kinds';
import { ProblemCollector } from './private/validation';

/**
 * A SageMaker model that exists outside this app.
 */
export interface IExistingModel extends IResource, sagemakerRefs.IModelRef {
  /**
   * The name of the model.
   *
   * @attribute
   */
  readonly modelName: string;

  /**
   * The ARN of the model.
   *
   * @attribute
   */
  readonly modelArn: string;
}

/**
 * References to SageMaker models that exist outside this app.
 */
export class ExistingModel {
  /**
   * An existing model, by its name.
   *
   * The name keeps its case: SageMaker ARNs carry names in lower case, so a name can not be recovered from an ARN.
   *
   * @param scope the scope of the reference
   * @param id the id of the reference
   * @param modelName the name of the model, exactly as it was created
   */
  public static fromModelName(scope: Construct, id: string, modelName: string): IExistingModel {
    const problems = new ProblemCollector();
    checkKind(problems, 'scope', scope, SCOPE);
    checkKind(problems, 'id', id, STRING);
    checkKind(problems, 'modelName', modelName, STRING);
    problems.throwIfAny('ExistingModel.fromModelName()');
    return new ModelByName(scope, id, modelName);
  }

  private constructor() {}
}

class ModelByName extends Resource implements IExistingModel {
  public readonly modelName: string;
  public readonly modelArn: string;

  constructor(scope: Construct, id: string, modelName: string) {
    super(scope, id);
    this.modelName = modelName;
    this.modelArn = sageMakerArn(this, 'model', modelName);
  }

  public get modelRef(): sagemakerRefs.ModelReference {
    // aws-cdk-lib changed the fields of ModelReference between releases (a model ID and name, later an ARN):
    // all of them are set, so that the reference works with any aws-cdk-lib this library supports.
    const reference = { modelId: this.modelArn, modelName: this.modelName, modelArn: this.modelArn };
    return reference;
  }
}
