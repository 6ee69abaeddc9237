/**
 * A real Orthanc with its DICOMweb plugin (Debian's orthanc + orthanc-dicomweb)
 * for the PACS tests: temporary configuration and storage, a free loopback
 * HTTP port, the DICOM port disabled, HTTP basic auth (alice / secret).
 * Orthanc 1.10 binds its HTTP port on every interface (it has no bind-address
 * option); `RemoteAccessAllowed: false` makes it refuse any client that is not
 * on loopback, and `startOrthanc` checks that refusal through this machine's
 * non-loopback address before any test runs. Missing Orthanc fails loudly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

const ORTHANC = '/usr/sbin/Orthanc';
const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
export const ORTHANC_USER = 'alice';
export const ORTHANC_PASSWORD = 'secret';

export interface OrthancServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** the DICOMweb root */
  dicomWebRoot: string;
  /** POST /instances (Orthanc's REST API) */
  upload(bytes: Uint8Array): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

const basic = `Basic ${Buffer.from(`${ORTHANC_USER}:${ORTHANC_PASSWORD}`).toString('base64')}`;

async function waitForSystem(
  origin: string,
  child: ChildProcess,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`Orthanc exited with code ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(`${origin}/system`, { headers: { Authorization: basic } });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Orthanc did not answer /system within 20 s:\n${log()}`);
}

/** Refuses to go on when Orthanc serves a client that is not on loopback. */
async function assertLoopbackOnly(port: number): Promise<void> {
  const outside = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal);
  if (!outside) return; // no other interface: nothing beyond loopback can reach it
  let status: number;
  try {
    const response = await fetch(`http://${outside.address}:${port}/system`, {
      headers: { Authorization: basic },
    });
    status = response.status;
  } catch {
    return; // refused at the socket
  }
  if (status !== 401 && status !== 403) {
    throw new Error(
      `Orthanc answered ${status} to a request from ${outside.address}: it must serve loopback only`,
    );
  }
}

export async function startOrthanc(): Promise<OrthancServer> {
  for (const [path, what] of [
    [ORTHANC, 'Orthanc'],
    [DICOMWEB_PLUGIN, "Orthanc's DICOMweb plugin"],
  ] as const) {
    if (!existsSync(path)) {
      throw new Error(
        `${what} is missing (${path}): install it with apt-get install orthanc orthanc-dicomweb (.ci/run does)`,
      );
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'normscope-orthanc-'));
  const port = await freePort();
  const config = {
    Name: 'normscope-test',
    HttpPort: port,
    DicomServerEnabled: false,
    DicomPort: 0,
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'index'),
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [ORTHANC_USER]: ORTHANC_PASSWORD },
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
    StableAge: 1,
  };
  const configPath = join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify(config));
  const logPath = join(dir, 'orthanc.log');
  const child = spawn(ORTHANC, [`--logfile=${logPath}`, configPath], { stdio: 'ignore' });
  const readLog = (): string =>
    existsSync(logPath) ? readFileSync(logPath, 'utf8').slice(-4000) : '(no log)';
  const origin = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForSystem(origin, child, readLog);
    await assertLoopbackOnly(port);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    origin,
    dicomWebRoot: `${origin}/dicom-web`,
    async upload(bytes) {
      const response = await fetch(`${origin}/instances`, {
        method: 'POST',
        headers: { Authorization: basic },
        body: bytes,
      });
      if (!response.ok)
        throw new Error(
          `Orthanc refused an upload: HTTP ${response.status} ${await response.text()}`,
        );
    },
    stop,
  };
}
