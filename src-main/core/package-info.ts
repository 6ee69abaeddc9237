/**
 * Where the installed package lives and which version it is. The same code
 * runs from sources (src-main/...), from the build (out/main/...) and packaged
 * inside an asar archive, so the root is found by walking up to our package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageJson {
  name?: string;
  version?: string;
}

function readPackageJson(dir: string): PackageJson | null {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch {
    return null;
  }
}

/** The folder holding Normscope's package.json, searched upwards from this module. */
export function packageRoot(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    if (readPackageJson(dir)?.name === 'normscope') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Normscope's package.json not found above ${fileURLToPath(fromUrl)}`);
    dir = parent;
  }
}

/** The version in package.json, e.g. `0.1.0`. */
export function packageVersion(root: string = packageRoot()): string {
  const version = readPackageJson(root)?.version;
  if (!version) throw new Error(`package.json in ${root} has no version`);
  return version;
}

/** The built renderer (electron-vite's out/renderer). */
export function builtRendererDir(root: string = packageRoot()): string {
  return join(root, 'out', 'renderer');
}
