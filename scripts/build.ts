// `npm run build`: the production build. src/ compiled to dist/ by tsc (same layout), the
// built-in profiles copied beside their loader, and the workflow code bundled ahead of time into
// dist/workflow-bundle.js (and -traced.js, with the tracing interceptors), which the compiled worker loads instead of bundling at start (the
// Temporal SDK's guidance for production: no webpack run, no source files, at worker start).
import { execFileSync } from 'node:child_process';
import { cp, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundlePollbackWorkflows } from '../src/worker';

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');

async function main(): Promise<void> {
  const started = Date.now();
  await rm(dist, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  await cp(path.join(root, 'src/profiles/builtin'), path.join(dist, 'profiles/builtin'), { recursive: true, filter: (src) => !src.endsWith('.ts') });
  const sizes: string[] = [];
  for (const tracing of [false, true]) {
    // The same file names the compiled worker looks for (prebuiltBundle in src/worker.ts).
    const bundle = path.join(dist, tracing ? 'workflow-bundle-traced.js' : 'workflow-bundle.js');
    await writeFile(bundle, await bundlePollbackWorkflows({ tracing }));
    sizes.push(`${path.basename(bundle)} ${Math.round((await stat(bundle)).size / 1024)} KiB`);
  }
  console.log(`build: dist/ compiled, built-in profiles copied, workflow bundles ${sizes.join(', ')}, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
