/*
 * Synthesizes the example shadow test and prints its CloudFormation template.
 *
 *   npx projen synth:example
 */
import { App } from 'aws-cdk-lib';
import { ShadowTestStack } from './shadow-test-stack';

const app = new App();
const stack = new ShadowTestStack(app, 'ShadowTestExample');
const assembly = app.synth();

process.stdout.write(`${JSON.stringify(assembly.getStackArtifact(stack.artifactId).template, null, 2)}\n`);
