/**
 * PACS secrets sealed with Electron's safeStorage, whose key the operating
 * system keeps (Keychain on macOS, DPAPI on Windows, the Secret Service or
 * KWallet on Linux). Where safeStorage has no real keychain (Linux without a
 * secret service falls back to a hard-coded password: 'basic_text'), the
 * AES-GCM key file is used instead and the settings page says so. Secrets
 * sealed earlier with the key file (e.g. by the CLI) still open.
 */
import { safeStorage } from 'electron';
import { NormscopeError } from '../api/errors';
import { keyFileSecretStore, OS_KEYCHAIN_FORMAT, type SecretStore } from '../pacs/secret-store';

function hasRealKeychain(): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  return process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text';
}

export function appSecretStore(dataDir: string): SecretStore {
  const keyFile = keyFileSecretStore(dataDir);
  if (!hasRealKeychain()) return keyFile;
  return {
    kind: 'os-keychain',
    description: 'Encrypted with the operating system keychain (Electron safeStorage).',
    seal: (plain) => `${OS_KEYCHAIN_FORMAT}:${safeStorage.encryptString(plain).toString('base64')}`,
    open(sealed) {
      const [format, payload] = sealed.split(':', 2);
      if (format !== OS_KEYCHAIN_FORMAT) return keyFile.open(sealed);
      try {
        return safeStorage.decryptString(Buffer.from(payload ?? '', 'base64'));
      } catch {
        throw new NormscopeError(
          'Internal',
          'a stored PACS secret cannot be decrypted with the OS keychain; enter it again',
        );
      }
    },
  };
}
