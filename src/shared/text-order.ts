/**
 * Sort order for names and ISO timestamps (models, users, files, versions, backup times): by code point, the same
 * on every host. localeCompare() would load ICU's collation data on first use, about 13 ms of a short command.
 */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
