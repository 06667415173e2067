import { ExistingModel } from '../src';
import { newStack } from './helpers/fixtures';

describe('ExistingModel', () => {
  test('keeps the name as given and lower-cases it in the ARN, as SageMaker does', () => {
    const stack = newStack();
    const model = ExistingModel.fromModelName(stack, 'Model', 'Candidate-V2');

    expect(model.modelName).toBe('Candidate-V2');
    expect(stack.resolve(model.modelArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:123456789012:model/candidate-v2']],
    });
  });

  test('fills every field that aws-cdk-lib releases have used in a model reference', () => {
    const model = ExistingModel.fromModelName(newStack(), 'Model', 'Candidate-V2');
    expect(model.modelRef).toEqual({ modelName: 'Candidate-V2', modelId: model.modelArn, modelArn: model.modelArn });
  });
});
