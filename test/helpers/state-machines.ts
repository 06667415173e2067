import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * The Amazon States Language definition of the template's only state machine, as Step Functions receives it: the
 * template's `Fn::Join` of the definition string, with each `Ref` and `Fn::GetAtt` written as the placeholder that
 * `names` gives for it (its logical ID, or `<logicalId.Attribute>` by default) and pseudo parameters as in the stack.
 */
export function definitionOf(stack: Stack, names: Record<string, string> = {}): any {
  const machines = Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine');
  const [machine] = Object.values(machines);
  if (Object.keys(machines).length !== 1) {
    throw new Error(`expected one state machine, found ${Object.keys(machines).length}`);
  }
  return JSON.parse(evaluate(machine.Properties.DefinitionString, stack, names));
}

function evaluate(value: any, stack: Stack, names: Record<string, string>): string {
  if (typeof value === 'string') {
    return value;
  }
  if (value['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'];
    return parts.map((part: any) => evaluate(part, stack, names)).join(separator);
  }
  if (value.Ref) {
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': stack.region, 'AWS::AccountId': stack.account };
    return names[value.Ref] ?? pseudo[value.Ref] ?? value.Ref;
  }
  if (value['Fn::GetAtt']) {
    const path = value['Fn::GetAtt'].join('.');
    return names[path] ?? `<${path}>`;
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}
