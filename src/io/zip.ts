/**
 * ZIP archives of stored (uncompressed) entries, which is what torch.save writes. Reading: the End of
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
  const utf8 = new TextDecoder();
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
    const name = utf8.decode(b.subarray(at + 46, at + 46 + nameLen));
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

/** CRC-32 (IEEE 802.3, reflected, as ZIP uses) of the bytes. */
function crc32(b: Uint8Array): number {
  let c = ~0;
  for (let i = 0; i < b.length; i++) {
    c ^= b[i];
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/**
 * A ZIP archive of the files, stored uncompressed (as torch.save writes them), with their CRC-32s
 * (torch.load checks them). Up to 4 GiB and 65535 files: no ZIP64 records.
 */
export function writeZip(files: readonly (readonly [string, Uint8Array])[], fn: string): Uint8Array<ArrayBuffer> {
  const utf8 = new TextEncoder();
  const names = files.map(([name]) => utf8.encode(name));
  const size = files.reduce((s, [, data], i) => s + 30 + names[i].length + data.length + 46 + names[i].length, 22);
  if (size > MAX_U32 || files.length > 0xffff)
    throw new FileFormatError(
      fn,
      `the archive would take ${size} bytes in ${files.length} files, over the 4 GiB and 65535 files a ZIP without ZIP64 records holds`,
    );
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  const central: number[] = [];
  let at = 0;
  files.forEach(([, data], i) => {
    const crc = crc32(data);
    central.push(at, crc);
    // local header: version 2.0, flag 0x0800 (UTF-8 names), method 0, no time, CRC, sizes, name
    dv.setUint32(at, LOCAL, true);
    dv.setUint16(at + 4, 20, true);
    dv.setUint16(at + 6, 0x0800, true);
    dv.setUint32(at + 14, crc, true);
    dv.setUint32(at + 18, data.length, true);
    dv.setUint32(at + 22, data.length, true);
    dv.setUint16(at + 26, names[i].length, true);
    out.set(names[i], at + 30);
    out.set(data, at + 30 + names[i].length);
    at += 30 + names[i].length + data.length;
  });
  const dirAt = at;
  files.forEach(([, data], i) => {
    dv.setUint32(at, CENTRAL, true);
    dv.setUint16(at + 4, 20, true);
    dv.setUint16(at + 6, 20, true);
    dv.setUint16(at + 8, 0x0800, true);
    dv.setUint32(at + 16, central[2 * i + 1], true);
    dv.setUint32(at + 20, data.length, true);
    dv.setUint32(at + 24, data.length, true);
    dv.setUint16(at + 28, names[i].length, true);
    dv.setUint32(at + 42, central[2 * i], true);
    out.set(names[i], at + 46);
    at += 46 + names[i].length;
  });
  dv.setUint32(at, EOCD, true);
  dv.setUint16(at + 8, files.length, true);
  dv.setUint16(at + 10, files.length, true);
  dv.setUint32(at + 12, at - dirAt, true);
  dv.setUint32(at + 16, dirAt, true);
  return out;
}
