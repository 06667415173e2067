import { createHash } from 'crypto';
import {
  DefaultTokenResolver, IPostProcessor, IResolvable, IResolveContext, Intrinsic, Reference, Token, Tokenization,
} from 'aws-cdk-lib';
import { RootConstruct } from 'constructs';
import { NameForEveryStack } from './resource-names';

const HASH_LENGTH = 8;

/**
 * The end of the metric math ids of the metrics of `names` (an endpoint name and variant names): `_` and a short hash
 * of the names, such as `_1a2b3c4d`. Each experiment and each variant gets its own ids, so that the expressions of
 * two experiments can share a graph, a dashboard or an alarm; the ids stay valid for CloudWatch (a lower-case letter
 * first, then letters, digits and underscores) whatever the names hold, tokens included.
 */
export function idSuffix(names: string[]): string {
  const text = names.map(stableText).join('\n');
  return `_${createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH)}`;
}

/**
 * `name` as the same text on every synthesis of the app, when it holds tokens: a token's placeholder is numbered in
 * the order the app makes tokens, so the ids would change with any unrelated change of the app.
 */
function stableText(name: string): string {
  if (!Token.isUnresolved(name)) {
    return name;
  }
  try {
    return textOf(Tokenization.resolve(name, { scope: new RootConstruct(), resolver: new StableTextResolver() }));
  } catch {
    // A token that resolves only in a stack still sets the ids apart by its placeholder.
    return name;
  }
}

/**
 * Resolves a reference to the path of the construct it refers to and its attribute, which set it apart in every
 * stack (a logical ID does not), a name that each stack reads in its own way to the name it stands for, and an
 * intrinsic function to its CloudFormation form. Any other token, such as a Lazy, keeps its placeholder: producing its value before the app is complete could fix an unfinished value.
 */
class StableTextResolver extends DefaultTokenResolver {
  constructor() {
    super({ join: (left, right) => `${textOf(left)}${textOf(right)}` });
  }

  public resolveToken(token: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): any {
    if (Reference.isReference(token)) {
      return `<${token.target.node.path}.${token.displayName}>`;
    }
    if (token instanceof NameForEveryStack) {
      return stableText(token.name);
    }
    return token instanceof Intrinsic ? super.resolveToken(token, context, postProcessor) : token.toString();
  }
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
