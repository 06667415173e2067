import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ShadowTestStack } from '../examples/shadow-test-stack';
import { newStack, ShadowTestParts } from './helpers/fixtures';

// Any change to a synthesized template fails these tests; `npx projen test:update` records an intended change.

test('a minimal experiment', () => {
  const parts = new ShadowTestParts(newStack());
  parts.experiment();
  expect(Template.fromStack(parts.stack).toJSON()).toMatchSnapshot();
});

test('a fully configured experiment', () => {
  const parts = new ShadowTestParts(newStack());
  parts.experiment(parts.fullProps());
  expect(Template.fromStack(parts.stack).toJSON()).toMatchSnapshot();
});

test('the example app', () => {
  expect(Template.fromStack(new ShadowTestStack(new App(), 'ShadowTestExample')).toJSON()).toMatchSnapshot();
});
