/** Excel and PDF exports run as background jobs on the API; the buttons appear once that API exists. */
export function ExportJobButtons(_: { kind: 'list' | 'selection' | 'one'; id?: string }) {
  return null;
}
