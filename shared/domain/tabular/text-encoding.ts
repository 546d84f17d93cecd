import iconv from 'iconv-lite';
import { TableFileError } from './table-file-error.ts';

export type CsvEncoding = 'utf-8' | 'gb18030';

/** Bytes looked at, from the first non-ASCII byte on, before deciding the encoding. */
const WINDOW_BYTES = 64 * 1024;

/**
 * Turns the bytes of a CSV file in UTF-8 (with or without BOM) or GB18030/GBK
 * into UTF-8 bytes, chunk by chunk (multi-byte characters may be split across
 * chunks).
 *
 * Detection: while the bytes are ASCII both encodings read them the same, so
 * they pass through unchanged and undecided. From the first non-ASCII byte on,
 * up to 64 KiB (or the rest of the file) are held and checked: valid UTF-8 ->
 * UTF-8, otherwise GB18030 (a superset of GBK and GB2312). Validity is the
 * decisive test, so a UTF-8 file is never read as GB18030; a GBK text long
 * enough to matter is practically never valid UTF-8.
 */
export class Utf8Normaliser {
  /** Undefined while everything so far was ASCII. */
  encoding: CsvEncoding | undefined;
  private offset = 0;
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private heldFromStart = false;
  private gb: iconv.DecoderStream | undefined;

  /** UTF-8 bytes ready for the parser (possibly none). */
  write(chunk: Uint8Array): Uint8Array[] {
    if (this.encoding === 'utf-8') return [chunk];
    if (this.encoding === 'gb18030') return this.fromGb(chunk);
    const out: Uint8Array[] = [];
    if (this.heldBytes === 0) {
      const at = firstNonAscii(chunk);
      if (at < 0) {
        this.offset += chunk.byteLength;
        return [chunk];
      }
      if (at > 0) out.push(chunk.subarray(0, at));
      this.heldFromStart = this.offset + at === 0;
      this.offset += chunk.byteLength;
      this.hold(chunk.subarray(at));
    } else {
      this.offset += chunk.byteLength;
      this.hold(chunk);
    }
    if (this.heldBytes >= WINDOW_BYTES || (this.heldFromStart && this.heldBytes >= 3)) {
      const decided = this.decide(false);
      if (decided) out.push(...decided);
    }
    return out;
  }

  end(): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.encoding === undefined && this.heldBytes > 0) out.push(...(this.decide(true) ?? []));
    if (this.gb) {
      const rest = this.gb.end();
      if (rest) out.push(Buffer.from(rest, 'utf8'));
    }
    return out;
  }

  private hold(bytes: Uint8Array): void {
    this.held.push(bytes);
    this.heldBytes += bytes.byteLength;
  }

  /** Returns undefined when it cannot decide yet (a file that starts with fewer than 3 odd bytes). */
  private decide(atEnd: boolean): Uint8Array[] | undefined {
    const window = Buffer.concat(this.held);
    if (this.heldFromStart) {
      if (window[0] === 0xef && window[1] === 0xbb && window[2] === 0xbf) {
        this.release('utf-8');
        return window.byteLength > 3 ? [window.subarray(3)] : [];
      }
      if ((window[0] === 0xff && window[1] === 0xfe) || (window[0] === 0xfe && window[1] === 0xff)) {
        throw new TableFileError('不支持 UTF-16 编码的 CSV 文件, 请在 Excel 中另存为 "CSV UTF-8 (逗号分隔)"');
      }
      if (!atEnd && window.byteLength < WINDOW_BYTES) {
        // not a BOM: keep collecting the window before judging
        this.heldFromStart = false;
        return undefined;
      }
    }
    if (isUtf8(window, atEnd)) {
      this.release('utf-8');
      return [window];
    }
    this.release('gb18030');
    return this.fromGb(window);
  }

  private release(encoding: CsvEncoding): void {
    this.encoding = encoding;
    this.held = [];
    this.heldBytes = 0;
    if (encoding === 'gb18030') this.gb = iconv.getDecoder('gb18030');
  }

  private fromGb(chunk: Uint8Array): Uint8Array[] {
    const text = this.gb!.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    return text.length > 0 ? [Buffer.from(text, 'utf8')] : [];
  }
}

function firstNonAscii(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return i;
  return -1;
}

/** Strict UTF-8 check; a character cut off at the end of a window is allowed unless the file ends there. */
function isUtf8(bytes: Uint8Array, atEnd: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream: !atEnd });
    return true;
  } catch {
    return false;
  }
}
