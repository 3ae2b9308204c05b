/**
 * Which declared types a file's first bytes are consistent with. Only the types listed here
 * may be uploaded; text types must not contain NUL bytes (checked over the whole file).
 */
type Check = (head: Buffer) => boolean;
const starts = (...bytes: (number | string)[]): Check => {
  const sig = Buffer.concat(bytes.map((b) => (typeof b === 'string' ? Buffer.from(b, 'latin1') : Buffer.from([b]))));
  return (head) => head.length >= sig.length && head.subarray(0, sig.length).equals(sig);
};
const riff = (kind: string): Check => (h) => starts('RIFF')(h) && h.subarray(8, 12).toString('latin1') === kind;
const zip = starts(0x50, 0x4b, 0x03, 0x04);
const ole = starts(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1);
const TEXT: Check = () => true; // plus the NUL check

export const ALLOWED: Record<string, { check: Check; text?: boolean; extensions: string[] }> = {
  'application/pdf': { check: starts('%PDF-'), extensions: ['pdf'] },
  'image/png': { check: starts(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a), extensions: ['png'] },
  'image/jpeg': { check: starts(0xff, 0xd8, 0xff), extensions: ['jpg', 'jpeg'] },
  'image/gif': { check: (h) => starts('GIF87a')(h) || starts('GIF89a')(h), extensions: ['gif'] },
  'image/webp': { check: riff('WEBP'), extensions: ['webp'] },
  'image/tiff': { check: (h) => starts('II*', 0)(h) || starts('MM', 0, '*')(h), extensions: ['tif', 'tiff'] },
  'audio/wav': { check: riff('WAVE'), extensions: ['wav'] },
  'audio/mpeg': { check: (h) => starts('ID3')(h) || (h[0] === 0xff && (h[1] & 0xe0) === 0xe0), extensions: ['mp3'] },
  'application/zip': { check: zip, extensions: ['zip'] },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { check: zip, extensions: ['docx'] },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { check: zip, extensions: ['xlsx'] },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': { check: zip, extensions: ['pptx'] },
  'application/vnd.oasis.opendocument.text': { check: zip, extensions: ['odt'] },
  'application/vnd.oasis.opendocument.spreadsheet': { check: zip, extensions: ['ods'] },
  'application/msword': { check: ole, extensions: ['doc'] },
  'application/vnd.ms-excel': { check: ole, extensions: ['xls'] },
  'text/plain': { check: TEXT, text: true, extensions: ['txt', 'log'] },
  'text/csv': { check: TEXT, text: true, extensions: ['csv'] },
  'message/rfc822': { check: TEXT, text: true, extensions: ['eml'] },
};

/** The declared type: the part's content type, or the extension's when the client sent none. */
export function declaredType(mime: string | undefined, fileName: string): string | null {
  const m = (mime ?? '').toLowerCase().split(';')[0].trim();
  if (m && m !== 'application/octet-stream') return m;
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  return Object.entries(ALLOWED).find(([, v]) => v.extensions.includes(ext))?.[0] ?? null;
}
