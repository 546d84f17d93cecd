import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * The data folder holds rosters, secrets and the install's credentials: readable by its owner
 * only. A folder made before this rule (or by hand) is brought into line once, file by file.
 */
export async function restrictDataFolder(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: DIR_MODE });
  const mode = (await stat(dataDir)).mode & 0o777;
  if (mode === DIR_MODE) return;
  await restrictTree(dataDir);
}

async function restrictTree(dir: string): Promise<void> {
  await chmod(dir, DIR_MODE);
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await restrictTree(path);
    else if (entry.isFile()) await chmod(path, FILE_MODE);
  }
}
