// The one config module: every environment variable Pollback reads is declared and validated
// here, and a bad value stops start-up with a message naming the variable.
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from './contract';
import { parseKeyring, type Keyring } from './tokens/task-token';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const envSchema = z.object({
  POLLBACK_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  /** Extra folder of API profiles (YAML/JSON), loaded after the built-in ones. */
  POLLBACK_PROFILES_DIR: z.string().min(1).optional(),
  /** `kid:secret[,kid:secret…]`; the first (or POLLBACK_TOKEN_ACTIVE_KEY) signs, all verify. */
  POLLBACK_TOKEN_KEYS: z.string().min(1).optional(),
  POLLBACK_TOKEN_ACTIVE_KEY: z.string().min(1).optional(),
  /** Base URL at which remote systems reach the gateway, for callback URLs. */
  POLLBACK_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Root folder for downloaded results. */
  POLLBACK_DOWNLOAD_DIR: z.string().min(1).default('downloads'),
});

export interface Config {
  taskQueue: string;
  profilesDir?: string;
  keyring?: Keyring;
  publicUrl?: string;
  downloadDir: string;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${String(issue?.path[0] ?? 'environment')}: ${issue?.message ?? 'invalid'}`);
  }
  const e = parsed.data;
  let keyring: Keyring | undefined;
  if (e.POLLBACK_TOKEN_KEYS) {
    try {
      keyring = parseKeyring(e.POLLBACK_TOKEN_KEYS, e.POLLBACK_TOKEN_ACTIVE_KEY);
    } catch (err) {
      throw new ConfigError(`POLLBACK_TOKEN_KEYS: ${(err as Error).message}`);
    }
  }
  return {
    taskQueue: e.POLLBACK_TASK_QUEUE,
    downloadDir: path.resolve(e.POLLBACK_DOWNLOAD_DIR),
    ...(e.POLLBACK_PROFILES_DIR ? { profilesDir: e.POLLBACK_PROFILES_DIR } : {}),
    ...(keyring ? { keyring } : {}),
    ...(e.POLLBACK_PUBLIC_URL ? { publicUrl: e.POLLBACK_PUBLIC_URL } : {}),
  };
}
