/**
 * Text for a CSV cell that a spreadsheet will not run as a formula: a value starting with = + - @ | % or a tab or
 * carriage return gets a leading quote mark (OWASP's advice). A value that is wholly a number is left alone, so
 * "-3" stays a number; "-1+HYPERLINK(…)" does not (a customer can choose tags, and tags reach reports).
 */
export function neutraliseFormula(text: string): string {
  if (/^[=+\-@|%\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) return `'${text}`;
  return text;
}
