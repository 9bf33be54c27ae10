// Names, descriptions and error texts come from MCP servers we do not control; a terminal escape sequence in
// one must not repaint or retitle the user's terminal, so control characters never reach human output.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const LINE_BREAKS = /[\t\n\r]+/g;

/** One line of printable text: breaks become spaces, other control characters are dropped. */
export function oneLine(value: string): string {
  return value.replace(LINE_BREAKS, ' ').replace(CONTROL, '');
}

/** Multi-line printable text: keeps line breaks, drops other control characters. */
export function printable(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(/\t/g, '  ').replace(CONTROL, '');
}
