// Snapshots of the run against the newest aws-cdk-lib are kept apart from the floor's: templates may differ
// legitimately between aws-cdk-lib versions, and each set must match its own version exactly.
const path = require('path');

const here = path.join(__dirname, '__snapshots__');

module.exports = {
  resolveSnapshotPath: (testPath, extension) => path.join(here, path.basename(testPath) + extension),
  resolveTestPath: (snapshotPath, extension) =>
    path.join(__dirname, '..', path.basename(snapshotPath).slice(0, -extension.length)),
  testPathForConsistencyCheck: path.join(__dirname, '..', 'example.test.ts'),
};
