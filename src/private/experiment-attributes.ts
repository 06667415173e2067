import { aws_sagemaker as sagemaker, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { sageMakerArn } from './arns';
import { nameForEveryStack } from './resource-names';

/**
 * An experiment's name and ARN attributes, made when they are first read: most apps read few of them, and each is a
 * token to make.
 */
export class ExperimentAttributes {
  private nameAttribute?: string;
  private arnAttribute?: string;

  /**
   * @param experiment the experiment
   * @param resource the experiment's L1
   * @param names the experiment's name as given, if it was, and as the L1 has it
   * @param resourceNameAttribute the experiment's `getResourceNameAttribute()`, which only the experiment can call
   */
  constructor(
    private readonly experiment: IConstruct,
    private readonly resource: sagemaker.CfnInferenceExperiment,
    private readonly names: { readonly name: string; readonly givenName?: string },
    private readonly resourceNameAttribute: (nameAttribute: string) => string,
  ) {}

  public get name(): string {
    // In the experiment's own stack, a reference, which orders what uses the name after the experiment; elsewhere,
    // the name itself when it is known at synth, since an export would block every replacement of the experiment.
    this.nameAttribute ??= Token.isUnresolved(this.names.givenName ?? '')
      ? this.resourceNameAttribute(this.resource.ref)
      : nameForEveryStack(this.experiment, this.resource.ref, () => this.names.name);
    return this.nameAttribute;
  }

  public get arn(): string {
    // A generated name is in lower case already, and known at synth: it is not one of the names given as tokens, of
    // which sageMakerArn() warns.
    this.arnAttribute ??= this.names.givenName === undefined
      ? Stack.of(this.experiment).formatArn({ service: 'sagemaker', resource: 'inference-experiment', resourceName: this.names.name })
      : sageMakerArn(this.experiment, 'inference-experiment', this.names.name);
    return this.arnAttribute;
  }
}
