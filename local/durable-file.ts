import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes the local platform's own records (the bus's delivery journal, its
 * archive and dead letters) so that what it reported as written survives a
 * power cut, not only a killed process: data synced before the call resolves,
 * a replaced file's directory entry synced after the rename. About 0.4 ms a
 * call here; the callers batch what arrives meanwhile into one call.
 */
export async function appendDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, 'a', 0o600);
  try {
    await handle.appendFile(text);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Replaces `file` whole: a crash or power cut leaves the old file or the new one, never a part. */
export async function replaceDurably(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  const folder = await open(dirname(file), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
