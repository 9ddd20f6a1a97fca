/**
 * The stored (uncompressed) entries of a ZIP archive, which is what torch.save writes: the End of
 * Central Directory record (ZIP64's when the sizes need it) locates the central directory, whose
 * entries give each file's name, method, size and local header; the data follows the local header
 * (its own name and extra field lengths). Compressed entries, encryption and multi-disk archives
 * are FileFormatErrors: torch never writes them.
 */
import { FileFormatError } from '../errors.js';

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_U32 = 0xffffffff;

/** Whether the bytes start as a ZIP archive does (a local file header). */
export function isZip(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

/** The archive's files by name, each a view of `b` (no copy). */
export function readZip(b: Uint8Array, fn: string): Map<string, Uint8Array> {
  const bad = (what: string) => new FileFormatError(fn, `not a readable ZIP archive (torch.save's format): ${what}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u64 = (at: number): number => {
    const v = dv.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad('a ZIP64 size beyond 2^53');
    return Number(v);
  };
  // The End of Central Directory record: 22 bytes, then a comment of up to 65535 bytes.
  let eocd = -1;
  for (let at = b.length - 22; at >= Math.max(0, b.length - 22 - 65535); at--)
    if (dv.getUint32(at, true) === EOCD) {
      eocd = at;
      break;
    }
  if (eocd < 0) throw bad('no End of Central Directory record (the file is cut short?)');
  if (dv.getUint16(eocd + 4, true) !== 0 || dv.getUint16(eocd + 6, true) !== 0) throw bad('a multi-disk archive');
  let count = dv.getUint16(eocd + 10, true);
  let dirAt = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || dirAt === MAX_U32) {
    const loc = eocd - 20;
    if (loc < 0 || dv.getUint32(loc, true) !== ZIP64_LOCATOR) throw bad('ZIP64 sizes without a ZIP64 locator');
    const z = u64(loc + 8);
    if (z + 56 > b.length || dv.getUint32(z, true) !== ZIP64_EOCD) throw bad('the ZIP64 End of Central Directory record is missing');
    count = u64(z + 32);
    dirAt = u64(z + 48);
  }
  const files = new Map<string, Uint8Array>();
  let at = dirAt;
  for (let k = 0; k < count; k++) {
    if (at + 46 > b.length || dv.getUint32(at, true) !== CENTRAL) throw bad(`central directory entry ${k} is damaged`);
    const flags = dv.getUint16(at + 8, true);
    const method = dv.getUint16(at + 10, true);
    let size = dv.getUint32(at + 24, true);
    const nameLen = dv.getUint16(at + 28, true);
    const extraLen = dv.getUint16(at + 30, true);
    const commentLen = dv.getUint16(at + 32, true);
    let local = dv.getUint32(at + 42, true);
    const name = new TextDecoder().decode(b.subarray(at + 46, at + 46 + nameLen));
    // ZIP64 extended information (extra field 0x0001): the 64-bit values of the fields set to 0xFFFFFFFF, in order.
    for (let e = at + 46 + nameLen; e + 4 <= at + 46 + nameLen + extraLen; e += 4 + dv.getUint16(e + 2, true)) {
      if (dv.getUint16(e, true) !== 1) continue;
      let v = e + 4;
      if (size === MAX_U32) [size, v] = [u64(v), v + 8];
      if (dv.getUint32(at + 20, true) === MAX_U32) v += 8; // the compressed size
      if (local === MAX_U32) local = u64(v);
    }
    if (flags & 1) throw bad(`'${name}' is encrypted`);
    if (method !== 0) throw bad(`'${name}' is compressed (method ${method}); torch.save stores its files uncompressed`);
    if (local + 30 > b.length || dv.getUint32(local, true) !== LOCAL) throw bad(`the local header of '${name}' is damaged`);
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    if (start + size > b.length) throw bad(`'${name}' runs past the end of the file (the file is cut short?)`);
    files.set(name, b.subarray(start, start + size));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}
