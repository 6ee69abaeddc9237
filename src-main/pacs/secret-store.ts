/**
 * Where PACS passwords and tokens are kept at rest. The Electron shell injects
 * a store backed by safeStorage (the OS keychain); under plain Node (CLI, web
 * host, tests) secrets are sealed with AES-256-GCM under a random key kept in
 * `<dataDir>/secret.key` (mode 0600). Which one is active is shown to the user.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NormscopeError } from '../api/errors';

export interface SecretStore {
  /** 'os-keychain' when the operating system holds the key, 'key-file' for the AES-GCM key file */
  readonly kind: 'os-keychain' | 'key-file';
  /** one sentence for the settings page and `pacs list`, e.g. where the key lives */
  readonly description: string;
  /** plain text -> an opaque base64 string that only this store can open */
  seal(plain: string): string;
  open(sealed: string): string;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';
/** the prefix of secrets sealed by the Electron shell's OS-keychain store (src-main/app) */
export const OS_KEYCHAIN_FORMAT = 'os1';

/** Reads the key file, or creates it with a fresh random key readable by the owner only. */
function loadOrCreateKey(path: string): Buffer {
  try {
    const key = readFileSync(path);
    if (key.length !== KEY_BYTES) {
      throw new NormscopeError(
        'Internal',
        `${path}: expected a ${KEY_BYTES}-byte key, found ${key.length} bytes`,
      );
    }
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(KEY_BYTES);
  // 'wx': never overwrite a key another process wrote meanwhile (its secrets would become unreadable)
  try {
    writeFileSync(path, key, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKey(path);
    throw err;
  }
  chmodSync(path, 0o600);
  return key;
}

/** AES-256-GCM with the key in `<dataDir>/secret.key`: sealed = "v1:" + base64(iv | tag | ciphertext). */
export function keyFileSecretStore(dataDir: string): SecretStore {
  const path = join(dataDir, 'secret.key');
  let key: Buffer | null = null;
  const keyNow = (): Buffer => (key ??= loadOrCreateKey(path));
  return {
    kind: 'key-file',
    description: `Encrypted at rest with AES-256-GCM; the key is ${path} (readable by your user only). No OS keychain is used in this mode.`,
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keyNow(), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${FORMAT}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    open(sealed) {
      const [format, payload] = sealed.split(':', 2);
      if (format === OS_KEYCHAIN_FORMAT) {
        throw new NormscopeError(
          'Unavailable',
          'this PACS secret was saved by the desktop app in the OS keychain, which only the app can open; give the credentials with --user/--password-env or --token-env, or save the endpoint again here',
        );
      }
      if (format !== FORMAT || !payload) {
        throw new NormscopeError(
          'Internal',
          'a stored PACS secret is not in the key-file format; enter it again',
        );
      }
      const bytes = Buffer.from(payload, 'base64');
      try {
        const decipher = createDecipheriv('aes-256-gcm', keyNow(), bytes.subarray(0, IV_BYTES));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([
          decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new NormscopeError(
          'Internal',
          `a stored PACS secret cannot be decrypted with ${path} (the key changed?); enter it again`,
        );
      }
    },
  };
}
