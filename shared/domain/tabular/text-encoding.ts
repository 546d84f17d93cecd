import { isUtf8 as isWholeUtf8 } from 'node:buffer';
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
 *
 * What is not text in a supported encoding is refused with a reason rather than
 * read as garbled text: a NUL byte anywhere (binary, UTF-16 without BOM), many
 * control bytes in the first 64 KiB (a binary), Chinese that reads as GBK only
 * through rare characters (Big5 and other encodings: see `looksLikeGbText`),
 * and a file that changes encoding part way (UTF-8 bytes turning invalid, or
 * bytes GB18030 cannot decode).
 */
export class Utf8Normaliser {
  /** Undefined while everything so far was ASCII. */
  encoding: CsvEncoding | undefined;
  private offset = 0;
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private heldFromStart = false;
  /** Node's own GB18030 decoder (ICU): no codec tables in the functions' bundles. */
  private gb: TextDecoder | undefined;
  /** Bytes of the file seen so far (for the reasons' byte offsets). */
  private seen = 0;
  private controlBytes = 0;
  /** The start of a UTF-8 character cut off at the end of the previous chunk. */
  private utf8Tail: Uint8Array | undefined;

  /**
   * A part of a file whose encoding was already detected (a fan-out's byte range, starting at a line end):
   * checked and converted the same way, byte offsets in reasons counted from `offset`.
   */
  static decided(encoding: CsvEncoding, offset: number): Utf8Normaliser {
    const normaliser = new Utf8Normaliser();
    normaliser.release(encoding);
    normaliser.seen = offset;
    normaliser.offset = offset;
    normaliser.controlBytes = 0;
    return normaliser;
  }

  /** UTF-8 bytes ready for the parser (possibly none). */
  write(chunk: Uint8Array): Uint8Array[] {
    this.checkBinary(chunk);
    if (this.encoding === 'utf-8') {
      this.checkUtf8(chunk);
      return [chunk];
    }
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
    this.judgeControlBytes(true);
    const out: Uint8Array[] = [];
    if (this.encoding === undefined && this.heldBytes > 0) out.push(...(this.decide(true) ?? []));
    if (this.gb) {
      const rest = this.gb.decode();
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
        const rest = window.subarray(3);
        this.checkUtf8(rest);
        return rest.byteLength > 0 ? [rest] : [];
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
      this.utf8Tail = incompleteTail(window);
      return [window];
    }
    if (startsAsUtf8(window)) throw new TableFileError(MIXED_ENCODING(this.seen - window.byteLength + firstInvalidUtf8(window)));
    if (!looksLikeGbText(window)) throw new TableFileError(UNSUPPORTED_ENCODING);
    this.release('gb18030');
    return this.fromGb(window);
  }

  /** A NUL anywhere, or more than 1 % control bytes in the first 64 KiB: not a text file. */
  private checkBinary(chunk: Uint8Array): void {
    const nul = chunk.indexOf(0);
    if (nul >= 0) {
      throw new TableFileError(
        `文件第 ${this.seen + nul + 1} 字节是 NUL 空字节: 这不是可读的 CSV 文本 (可能是二进制文件或 UTF-16 编码), ${SAVE_AS_UTF8}`,
      );
    }
    if (this.seen < WINDOW_BYTES) {
      const end = Math.min(chunk.byteLength, WINDOW_BYTES - this.seen);
      for (let i = 0; i < end; i++) {
        const b = chunk[i];
        if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1a) this.controlBytes++;
      }
    }
    this.seen += chunk.byteLength;
    this.judgeControlBytes(false);
  }

  private judgeControlBytes(atEnd: boolean): void {
    if (!atEnd && this.seen < WINDOW_BYTES) return;
    const scanned = Math.min(this.seen, WINDOW_BYTES);
    if (this.controlBytes > 0 && this.controlBytes * 100 > scanned) {
      this.controlBytes = 0; // reported once
      throw new TableFileError(`文件含有大量控制字符: 这不是可读的 CSV 文本 (可能是二进制文件改了扩展名), ${SAVE_AS_UTF8}`);
    }
  }

  /** Once a file reads as UTF-8 it must stay UTF-8: a part in another encoding would come out garbled. */
  private checkUtf8(chunk: Uint8Array): void {
    let bytes = chunk;
    if (this.utf8Tail) {
      const tail: Uint8Array = this.utf8Tail;
      const need = sequenceLength(tail[0]) - tail.byteLength;
      if (bytes.byteLength < need) {
        this.utf8Tail = Buffer.concat([tail, bytes]);
        return;
      }
      this.utf8Tail = undefined;
      if (!isWholeUtf8(Buffer.concat([tail, bytes.subarray(0, need)]))) this.mixed(chunk);
      bytes = bytes.subarray(need);
    }
    const cut = bytes.byteLength - (incompleteTail(bytes)?.byteLength ?? 0);
    if (!isWholeUtf8(bytes.subarray(0, cut))) this.mixed(chunk);
    if (cut < bytes.byteLength) this.utf8Tail = bytes.slice(cut);
  }

  private mixed(chunk: Uint8Array): never {
    throw new TableFileError(MIXED_ENCODING(this.seen - chunk.byteLength));
  }

  private release(encoding: CsvEncoding): void {
    this.encoding = encoding;
    this.held = [];
    this.heldBytes = 0;
    if (encoding === 'gb18030') this.gb = new TextDecoder('gb18030');
  }

  private fromGb(chunk: Uint8Array): Uint8Array[] {
    const text = this.gb!.decode(chunk, { stream: true });
    // the decoder puts U+FFFD for bytes GB18030 cannot decode: a corrupt or mixed-encoding file
    if (text.includes('\ufffd')) {
      throw new TableFileError(
        `文件编码无法识别: 按 GBK/GB18030 读取时约第 ${this.seen} 字节前有无法解码的字节 (文件损坏或混入其他编码), ${SAVE_AS_UTF8}`,
      );
    }
    return text.length > 0 ? [Buffer.from(text, 'utf8')] : [];
  }
}

const SAVE_AS_UTF8 = '请在 Excel 中另存为 "CSV UTF-8 (逗号分隔)" 后重新上传';
const MIXED_ENCODING = (offset: number) =>
  `文件编码不一致: 前面是 UTF-8, 约第 ${offset + 1} 字节起的内容不是 UTF-8 (可能混入了 GBK 等其他编码的文本), ${SAVE_AS_UTF8}`;

/** Chinese text of 4 KiB that reads as UTF-8 before the bytes turn invalid: a UTF-8 file with another encoding pasted in. */
function startsAsUtf8(window: Uint8Array): boolean {
  const head = window.subarray(0, Math.min(window.byteLength, 4096));
  const whole = head.subarray(0, head.byteLength - (incompleteTail(head)?.byteLength ?? 0));
  return whole.byteLength >= 1024 && firstInvalidUtf8(window) >= 1024 && isWholeUtf8(whole);
}

/** Offset of the first byte that breaks UTF-8 (the length when none does). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let low = 0;
  let high = bytes.byteLength;
  // the longest valid prefix, by halving (a valid prefix cut inside a character counts as valid)
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (isUtf8(bytes.subarray(0, mid), false)) low = mid;
    else high = mid - 1;
  }
  return low;
}
const UNSUPPORTED_ENCODING = `文件编码无法识别: 不是 UTF-8, 也不像 GBK/GB18030 中文 (可能是 Big5 繁体或其他编码), ${SAVE_AS_UTF8}`;

/**
 * GBK decodes almost any byte pairs, so validity says little: real GBK Chinese
 * is mostly GB2312's common characters (lead byte B0–F7) and punctuation
 * (A1–A3), both with a trail byte A1–FE. Big5 text read as GBK is largely
 * rare characters (about half of Big5's trail bytes are below A1; its common
 * lead bytes A4–AF are GB2312's symbol and empty rows). GB18030's four-byte
 * characters count as GB (Big5 has none). At least 4 characters and 80 %
 * common ones make GBK; a short sample with fewer passes.
 */
export function looksLikeGbText(bytes: Uint8Array): boolean {
  let chars = 0;
  let common = 0;
  for (let i = 0; i < bytes.length; i++) {
    const lead = bytes[i];
    if (lead <= 0x80 || lead === 0xff) continue; // ASCII, and CP936's single-byte € (0x80)
    const trail = bytes[i + 1];
    if (trail === undefined) break;
    chars++;
    if (trail >= 0x30 && trail <= 0x39) {
      common++; // a four-byte character: only GB18030 has them (Big5 trail bytes start at 0x40)
      i += 3;
      continue;
    }
    if (((lead >= 0xb0 && lead <= 0xf7) || (lead >= 0xa1 && lead <= 0xa3)) && trail >= 0xa1 && trail <= 0xfe) common++;
    i++;
  }
  return chars < 4 || common >= chars * 0.8;
}

/** The bytes of a UTF-8 character cut off at the end, or undefined. */
function incompleteTail(bytes: Uint8Array): Uint8Array | undefined {
  for (let back = 1; back <= Math.min(3, bytes.byteLength); back++) {
    const b = bytes[bytes.byteLength - back];
    if (b < 0x80) return undefined;
    if (b >= 0xc0) return sequenceLength(b) > back ? bytes.subarray(bytes.byteLength - back) : undefined;
  }
  return undefined;
}

function sequenceLength(lead: number): number {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  return 2;
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
