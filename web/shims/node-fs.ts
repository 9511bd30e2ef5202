// node:fs, node:os, node:path and node:zlib for the page: loader/disk-cache.ts imports
// them, and a page never has a disk cache (ImageLoader only makes one when
// WASMOS_CACHE_DIR is set, which a page has no way to be). Calling any of
// these is a bug; they say so.
const unavailable = (name: string) => () => {
  throw new Error(`${name} is not available in the browser`);
};
export const mkdirSync = unavailable("fs.mkdirSync");
export const readFileSync = unavailable("fs.readFileSync");
export const renameSync = unavailable("fs.renameSync");
export const writeFileSync = unavailable("fs.writeFileSync");
export const homedir = unavailable("os.homedir");
export const crc32 = unavailable("zlib.crc32");
export const join = (...parts: string[]) => parts.join("/");
