// What a local cluster runs, found or installed by the project's own scripts (never downloaded
// at run time from anywhere but the package registries): the Temporal server, its SQL tool,
// schemas and Web UI server built from the Go module proxy into .tools/
// (scripts/ensure-temporal-server), and Debian's PostgreSQL and HAProxy
// (scripts/ensure-cluster-packages).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const SCRIPTS = path.resolve(__dirname, '../../scripts');

export interface ServerTools {
  /** .tools/temporal-server-<version> */
  dir: string;
  temporalServer: string;
  sqlTool: string;
  uiServer: string;
  /** Root for `ui-server --root <it> --config ui-config --env docker`. */
  uiRoot: string;
  /** schema/postgresql/v12 of the same server version. */
  schemaRoot: string;
}

export interface ClusterPackages {
  /** PostgreSQL's bin folder (initdb, postgres). */
  pgBin: string;
  haproxy: string;
}

async function run(script: string, progress?: (line: string) => void): Promise<string[]> {
  const child = promisify(execFile)('bash', [path.join(SCRIPTS, script)], { maxBuffer: 16 << 20, env: process.env });
  // The first build takes minutes: pass its progress on instead of staying silent.
  child.child.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.startsWith('ensure-')) progress?.(line);
  });
  const { stdout } = await child.catch((err: { stderr?: string; message: string }) => {
    const tail = (err.stderr ?? err.message).trim().split('\n').slice(-15).join('\n');
    throw new Error(`scripts/${script} failed:\n${tail}`);
  });
  return stdout.trim().split('\n');
}

export async function ensureServerTools(progress?: (line: string) => void): Promise<ServerTools> {
  const dir = (await run('ensure-temporal-server', progress)).pop();
  if (!dir) throw new Error('scripts/ensure-temporal-server printed no folder');
  return {
    dir,
    temporalServer: path.join(dir, 'bin/temporal-server'),
    sqlTool: path.join(dir, 'bin/temporal-sql-tool'),
    uiServer: path.join(dir, 'bin/ui-server'),
    uiRoot: dir,
    schemaRoot: path.join(dir, 'schema/postgresql/v12'),
  };
}

export async function ensureClusterPackages(progress?: (line: string) => void): Promise<ClusterPackages> {
  const lines = await run('ensure-cluster-packages', progress);
  const value = (key: string): string => {
    const line = lines.find((l) => l.startsWith(`${key}=`));
    if (!line) throw new Error(`scripts/ensure-cluster-packages printed no ${key}`);
    return line.slice(key.length + 1);
  };
  return { pgBin: value('PG_BIN'), haproxy: value('HAPROXY') };
}
