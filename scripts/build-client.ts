// `npm run build:client`: builds the typed client (src/client, with the API contract it takes
// its types from, src/contract) into packages/client/dist as one ES module and one
// declaration file, so the package stands alone: no path into the server's source survives.
// `npm pack ./packages/client` then makes the tarball a service installs.
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'packages/client/dist');

async function main(): Promise<void> {
  await rm(dist, { recursive: true, force: true });
  const result = await build({
    entryPoints: [path.join(root, 'src/client/index.ts')],
    outfile: path.join(dist, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The package's own dependencies stay imports; everything else of ours is bundled in.
    external: ['undici', 'zod'],
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const foreign = inputs.filter((file) => !/^src\/(client|contract)\//.test(file));
  if (foreign.length) throw new Error(`the client bundle must hold only src/client and src/contract at run time, but it holds: ${foreign.join(', ')}`);
  execFileSync(
    process.execPath,
    [require.resolve('dts-bundle-generator/dist/bin/dts-bundle-generator.js'), '--no-check', '--export-referenced-types=false', '-o', path.join(dist, 'index.d.ts'), path.join(root, 'src/client/index.ts')],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  console.log(`build-client: ${path.relative(root, dist)}/index.js (${inputs.length} modules) and index.d.ts`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
