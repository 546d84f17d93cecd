import { open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes the local platform's own records (the bus's delivery journal and its
 * dead letters) so that what it reported as written survives a power cut, not
 * only a killed process: data synced before the call resolves, a replaced
 * file's directory entry synced after the rename. About 0.4 ms a call here;
 * the callers batch what arrives meanwhile into one call.
 */
export function appendDurably(file: string, text: string): Promise<void> {
  return withFile(file, 'a', async (handle) => {
    await handle.appendFile(text);
    await handle.datasync();
  });
}

/** Replaces `file` whole: a crash or power cut leaves the old file or the new one, never a part. */
export async function replaceDurably(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  await withFile(tmp, 'w', async (handle) => {
    await handle.writeFile(text);
    await handle.sync();
  });
  await rename(tmp, file);
  await withFile(dirname(file), 'r', (folder) => folder.sync());
}

async function withFile(path: string, flags: string, work: (handle: FileHandle) => Promise<void>): Promise<void> {
  const handle = await open(path, flags, 0o600);
  try {
    await work(handle);
  } finally {
    await handle.close();
  }
}
