// A PostgreSQL server of the cluster's own: a data folder initialised once under the cluster's
// folder, listening on 127.0.0.1 only, on the port chosen for it (never the machine's default
// 5432), password authentication for the `temporal` superuser. PostgreSQL refuses to run as
// root: when this process is root, the server runs as the `postgres` system user (Debian's
// package creates it) and owns its data folder.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Supervised, tcpOpen } from './supervised';

export const POSTGRES_USER = 'temporal';

export interface PostgresOptions {
  pgBin: string;
  /** The cluster's folder: the data goes in `<dir>/postgres`, the log beside it. */
  dir: string;
  port: number;
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/** Who runs the server: this user, or the `postgres` system user when this is root. */
async function runAs(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const id = async (flag: string): Promise<number> => Number((await promisify(execFile)('id', [flag, 'postgres'])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g'), name: 'postgres' };
  } catch {
    throw new Error('running as root, and there is no `postgres` system user to run PostgreSQL as (PostgreSQL refuses root): install Debian\'s postgresql package (scripts/ensure-cluster-packages) or run as an ordinary user');
  }
}

const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);

/** The server's user must be able to reach its data folder through every folder above it. */
async function traversable(dir: string, user: RunAs): Promise<void> {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const { mode, uid } = await stat(at);
    if (uid !== user.uid && (mode & 0o001) === 0) {
      throw new Error(`PostgreSQL runs as the ${user.name} user, who cannot enter ${at} (mode ${(mode & 0o777).toString(8)}): chmod o+x it, or put the cluster's folder elsewhere`);
    }
    if (at === path.dirname(at)) return;
  }
}

export class Postgres {
  readonly password: Promise<string>;
  readonly dataDir: string;
  readonly logFile: string;
  private server?: Supervised;

  constructor(private readonly opts: PostgresOptions) {
    this.dataDir = path.join(opts.dir, 'postgres');
    this.logFile = path.join(opts.dir, 'logs', 'postgres.log');
    this.password = this.ensurePassword();
  }

  get port(): number {
    return this.opts.port;
  }

  get process(): Supervised {
    if (!this.server) throw new Error('PostgreSQL was not started');
    return this.server;
  }

  /** The superuser's password, made once and kept beside the data (mode 0600). */
  private async ensurePassword(): Promise<string> {
    const file = path.join(this.opts.dir, 'postgres-password');
    const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (existing) return existing;
    await mkdir(this.opts.dir, { recursive: true });
    const made = randomBytes(18).toString('base64url');
    await writeFile(file, `${made}\n`, { mode: 0o600 });
    return made;
  }

  /** initdb, once: a data folder that exists is used as it is. */
  private async init(user: RunAs | undefined): Promise<void> {
    if (await exists(path.join(this.dataDir, 'PG_VERSION'))) return;
    await rm(this.dataDir, { recursive: true, force: true });
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const pwfile = path.join(this.opts.dir, '.pwfile');
    await writeFile(pwfile, `${await this.password}\n`, { mode: 0o600 });
    try {
      if (user) await Promise.all([chown(this.dataDir, user.uid, user.gid), chown(pwfile, user.uid, user.gid)]);
      await promisify(execFile)(path.join(this.opts.pgBin, 'initdb'), [
        '-D', this.dataDir, '-U', POSTGRES_USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C',
      ], { uid: user?.uid, gid: user?.gid, env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' } }).catch((err: { stderr?: string; message: string }) => {
        throw new Error(`initdb failed: ${err.stderr ?? err.message}`);
      });
    } finally {
      await rm(pwfile, { force: true });
    }
  }

  async start(): Promise<void> {
    const user = await runAs();
    await mkdir(path.dirname(this.logFile), { recursive: true });
    if (user) await traversable(this.opts.dir, user);
    await this.init(user);
    this.server ??= new Supervised({
      name: 'postgres',
      command: path.join(this.opts.pgBin, 'postgres'),
      args: [
        '-D', this.dataDir, '-p', String(this.opts.port),
        '-c', 'listen_addresses=127.0.0.1',
        // The socket lives in the data folder, which only the server's user can enter.
        '-c', `unix_socket_directories=${this.dataDir}`,
        // Temporal's four services keep up to ~60 connections each at the defaults of server.env.
        '-c', 'max_connections=300',
      ],
      env: { PATH: process.env.PATH ?? '', LC_ALL: 'C', USER: user?.name ?? userInfo().username },
      logFile: this.logFile,
      ready: async (output) => output.includes('database system is ready to accept connections') && (await tcpOpen(this.opts.port)),
      uid: user?.uid,
      gid: user?.gid,
      // SIGINT is PostgreSQL's "fast" shutdown: sessions cut, data flushed, a clean restart.
      stopSignal: 'SIGINT',
      stopTimeoutMs: 30_000,
    });
    await this.server.start();
  }

  stop(): Promise<void> {
    return this.server?.stop() ?? Promise.resolve();
  }

  close(): Promise<void> {
    return this.server?.close() ?? Promise.resolve();
  }
}
