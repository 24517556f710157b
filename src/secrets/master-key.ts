/**
 * Finds the master key: `JUNCTION_MASTER_KEY`, a key file, or (embedded store only) a key generated into the
 * data folder on first start. A wrong key fails closed: the store keeps a value sealed with the key it was
 * set up with, and start refuses when it cannot be opened.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MasterKey } from './envelope.js';

export interface MasterKeySource {
  key: MasterKey;
  /** Where it came from, for the start banner (never the key itself). */
  origin: 'environment' | 'file' | 'generated';
  path?: string;
}

export interface MasterKeyOptions {
  keyText?: string | undefined;
  keyFile?: string | undefined;
  dataDir: string;
  /** Generation is allowed only on the embedded store, whose data folder is the key's natural home. */
  allowGenerate: boolean;
}

export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

/** Resolves the master key by the rules above. */
export async function resolveMasterKey(options: MasterKeyOptions): Promise<MasterKeySource> {
  if (options.keyText)
    return { key: parseOrExplain(options.keyText, 'JUNCTION_MASTER_KEY'), origin: 'environment' };
  if (options.keyFile) {
    const text = await readFile(options.keyFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new MasterKeyError(
        `The master key file ${options.keyFile} cannot be read (${error.code ?? error.message})`,
      );
    });
    return { key: parseOrExplain(text, options.keyFile), origin: 'file', path: options.keyFile };
  }
  const defaultPath = join(options.dataDir, 'master.key');
  const existing = await readFile(defaultPath, 'utf8').catch(() => undefined);
  if (existing !== undefined)
    return { key: parseOrExplain(existing, defaultPath), origin: 'file', path: defaultPath };
  if (!options.allowGenerate) {
    throw new MasterKeyError(
      'No master key: set JUNCTION_MASTER_KEY (32 bytes as 64 hex characters or base64) or JUNCTION_MASTER_KEY_FILE. ' +
        'A key is generated automatically only for the embedded store.',
    );
  }
  const key = MasterKey.generate();
  await writeFile(defaultPath, `${key.export()}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(defaultPath, 0o600);
  return { key, origin: 'generated', path: defaultPath };
}

function parseOrExplain(text: string, where: string): MasterKey {
  try {
    return MasterKey.parse(text);
  } catch (error) {
    throw new MasterKeyError(`The master key from ${where} is not valid: ${(error as Error).message}`);
  }
}
