/*
 * Synthesizes the example shadow test into a cloud assembly (cdk.out) and prints its CloudFormation template.
 *
 *   npx projen synth:example     (or npx cdk synth, diff, deploy: cdk.json names this app)
 */
import { App } from 'aws-cdk-lib';
import { ShadowTestStack } from './shadow-test-stack';

// The CDK CLI tells the app where to write the cloud assembly; run directly, it writes to cdk.out.
const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' });
const stack = new ShadowTestStack(app, 'ShadowTestExample');
const assembly = app.synth();

// The CDK CLI prints the template itself.
if (process.env.CDK_OUTDIR === undefined) {
  process.stdout.write(`${JSON.stringify(assembly.getStackArtifact(stack.artifactId).template, null, 2)}\n`);
  process.stderr.write(`The cloud assembly is in ${assembly.directory}: npx cdk diff or npx cdk deploy take it from there.\n`);
}
