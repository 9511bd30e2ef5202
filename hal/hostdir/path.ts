// Paths a guest gives the host-directory device, checked and split before any
// backend sees them. The rules (docs/system.md "Host directories"):
//   - a path is relative to the exposed root whether or not it starts with "/"
//     (there is no way to name anything above the root);
//   - "" and "." components are dropped; ".." removes the previous component,
//     and a ".." that would climb above the root is refused (EACCES);
//   - NUL anywhere, or bytes that are not UTF-8 (the caller decodes), EINVAL;
//   - a component over NAME_MAX bytes or a path over PATH_MAX bytes, ENAMETOOLONG.
// Nothing else is interpreted: "%2e%2e" and "\.." are ordinary names.

/** Longest component, in UTF-8 bytes (as Linux). */
export const NAME_MAX = 255;
/** Longest path, in UTF-8 bytes (the namespace's MAX_PATH_BYTES). */
export const PATH_MAX = 1024;

export type PathError = "EINVAL" | "EACCES" | "ENAMETOOLONG";

const utf8 = new TextEncoder();

/** The components of `path` under the root (empty: the root itself), or why it is refused. */
export function splitPath(path: string): string[] | PathError {
  if (path.includes("\0")) return "EINVAL";
  // A UTF-16 unit is at most 3 UTF-8 bytes: encode (allocate) only a string that may be too long.
  if (path.length * 3 > PATH_MAX && utf8.encode(path).length > PATH_MAX) return "ENAMETOOLONG";
  const out: string[] = [];
  for (const c of path.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") {
      if (out.length === 0) return "EACCES";
      out.pop();
      continue;
    }
    if (c.length * 3 > NAME_MAX && utf8.encode(c).length > NAME_MAX) return "ENAMETOOLONG";
    out.push(c);
  }
  return out;
}
