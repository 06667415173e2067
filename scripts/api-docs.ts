/*
 * Writes API.md from the assembly that jsii compiled, against the dependencies installed in node_modules/ only.
 *
 * jsii-docgen's command line looks for assemblies in every folder under the project, so the API it documented
 * depended on what else was installed there: the newest aws-cdk-lib of test/newest-cdk/ (whose resources have
 * methods that the lowest supported version lacks), or a packaged copy of this library under test/bindings/. Here it
 * sees this assembly and node_modules/, nothing else, so that a fresh clone and a working copy write the same API.md.
 *
 *   ts-node scripts/api-docs.ts API.md      (the docgen task runs it)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Documentation, Language } from 'jsii-docgen';

async function main(output: string): Promise<void> {
  const project = process.cwd();
  const assemblies = fs.mkdtempSync(path.join(os.tmpdir(), 'api-docs-'));
  try {
    fs.copyFileSync(path.join(project, '.jsii'), path.join(assemblies, '.jsii'));
    fs.symlinkSync(path.join(project, 'node_modules'), path.join(assemblies, 'node_modules'), 'dir');
    const docs = await Documentation.forProject(project, { assembliesDir: assemblies });
    const markdown = await docs.toMarkdown({ language: Language.TYPESCRIPT, allSubmodules: true });
    fs.writeFileSync(output, markdown.render());
  } finally {
    fs.rmSync(assemblies, { recursive: true, force: true });
  }
}

main(process.argv[2] ?? 'API.md').catch((error) => {
  console.error(error);
  process.exit(1);
});
