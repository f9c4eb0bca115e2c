import { AppError } from '../../platform/errors.js';

/** At most this many files on one report (screenshots and logs, not archives). */
export const MAX_FILES = 3;
/** Per file: the report is queued in the visitor's browser storage while offline, which holds a few MB. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

// Programs and scripts a reader could run by opening them; refused by name and, whatever the name, by content.
const EXECUTABLE_EXTENSIONS = new Set([
  'exe', 'dll', 'com', 'bat', 'cmd', 'msi', 'msp', 'scr', 'pif', 'cpl', 'ps1', 'psm1', 'vbs', 'vbe', 'js', 'jse', 'mjs', 'wsf', 'wsh', 'hta',
  'jar', 'sh', 'bash', 'zsh', 'csh', 'ksh', 'command', 'app', 'apk', 'dmg', 'pkg', 'deb', 'rpm', 'run', 'bin', 'elf', 'so', 'dylib', 'lnk', 'reg',
  'html', 'htm', 'xhtml', 'svg', 'php', 'py', 'pl', 'rb',
]);
const EXECUTABLE_TYPES = /^(application\/(x-msdownload|x-msdos-program|x-executable|x-sh|x-dosexec|java-archive|x-mach-binary|vnd\.microsoft\.portable-executable|javascript|x-javascript|ecmascript|xhtml\+xml)|text\/(javascript|html|x-sh|x-shellscript)|image\/svg\+xml)/i;

/** What a file's first bytes say it is, when that is a program: PE (MZ), ELF, Mach-O (both orders, fat), a #! script. */
function executableMagic(data: Buffer): string | undefined {
  if (data.length >= 2 && data[0] === 0x4d && data[1] === 0x5a) return 'a Windows program';
  if (data.length >= 4 && data.readUInt32BE(0) === 0x7f454c46) return 'an ELF program';
  if (data.length >= 4 && [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(data.readUInt32BE(0))) return 'a Mach-O program';
  if (data.length >= 2 && data[0] === 0x23 && data[1] === 0x21) return 'a script (#!)';
  return undefined;
}

export type IncomingFile = { filename: string; contentType: string; data: string };
export type DecodedFile = { filename: string; contentType: string; data: Buffer };

/** Decodes a report's files (base64) and refuses oversize and executable ones, naming the file; nothing is stored here. */
export function decodeFiles(files: IncomingFile[]): DecodedFile[] {
  return files.map((f, i) => {
    const path = `body.attachments.${i}`;
    // base64 is 4/3 of the bytes: refuse before decoding what is plainly too big.
    if (f.data.length > Math.ceil((MAX_FILE_BYTES * 4) / 3) + 4) throw tooLarge(f.filename, path);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(f.data)) throw new AppError('VALIDATION_FAILED', `${f.filename}: the data is not base64`, { fields: [{ path: `${path}.data`, message: 'not base64' }] });
    const data = Buffer.from(f.data, 'base64');
    if (data.length > MAX_FILE_BYTES) throw tooLarge(f.filename, path);
    if (data.length === 0) throw new AppError('VALIDATION_FAILED', `${f.filename} is empty`, { fields: [{ path: `${path}.data`, message: 'empty' }] });
    const ext = /\.([A-Za-z0-9]+)$/.exec(f.filename.trim())?.[1]?.toLowerCase();
    const why = (ext && EXECUTABLE_EXTENSIONS.has(ext) ? `.${ext} files can run code` : undefined) ?? (EXECUTABLE_TYPES.test(f.contentType) ? `${f.contentType} can run code` : undefined) ?? executableMagic(data);
    if (why) throw new AppError('ATTACHMENT_TYPE_REFUSED', `${f.filename} is refused: ${why}. Attach screenshots, text or PDF instead.`, { fields: [{ path, message: 'executable' }] });
    return { filename: f.filename, contentType: f.contentType, data };
  });
}

function tooLarge(filename: string, path: string): AppError {
  return new AppError('ATTACHMENT_TOO_LARGE', `${filename} is over ${MAX_FILE_BYTES / 1024 / 1024} MB, the most one report file may be`, { fields: [{ path, message: 'too large' }] });
}

/** Browser and OS in words from a User-Agent string (enough to read on a ticket, not a full parser). */
export function describeUserAgent(ua: string): { browser: string; os: string } {
  const version = (re: RegExp) => re.exec(ua)?.[1]?.split('.')[0];
  const browser =
    (/Edg\//.test(ua) && `Edge ${version(/Edg\/([\d.]+)/)}`) ||
    (/OPR\//.test(ua) && `Opera ${version(/OPR\/([\d.]+)/)}`) ||
    (/Firefox\//.test(ua) && `Firefox ${version(/Firefox\/([\d.]+)/)}`) ||
    (/Chrom(e|ium)\//.test(ua) && `${/HeadlessChrome/.test(ua) ? 'Chrome (headless)' : /Chromium\//.test(ua) ? 'Chromium' : 'Chrome'} ${version(/Chrom(?:e|ium)\/([\d.]+)/)}`) ||
    (/Safari\//.test(ua) && /Version\//.test(ua) && `Safari ${version(/Version\/([\d.]+)/)}`) ||
    'unknown browser';
  const os =
    (/Windows NT 10/.test(ua) && 'Windows 10/11') ||
    (/Windows/.test(ua) && 'Windows') ||
    (/Android ([\d.]+)/.test(ua) && `Android ${version(/Android ([\d.]+)/)}`) ||
    (/(iPhone|iPad|iPod)/.test(ua) && `iOS ${(/OS (\d+)_/.exec(ua)?.[1] ?? '').trim()}`.trim()) ||
    (/Mac OS X/.test(ua) && 'macOS') ||
    (/CrOS/.test(ua) && 'ChromeOS') ||
    (/Linux/.test(ua) && 'Linux') ||
    'unknown OS';
  return { browser, os };
}

/** One line of text from a visitor: no control characters, bounded. */
export function oneLine(s: string | undefined, max: number): string {
  return (s ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, max);
}
