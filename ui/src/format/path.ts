// Paths in a few words: the file name of a path, for short labels. Pure: no DOM, no IPC.

/** The file name of a path, for a short label ("march.audit.zip"). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter((part) => part !== "");
  return parts[parts.length - 1] ?? path;
}
