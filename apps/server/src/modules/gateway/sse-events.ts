/**
 * SSE events of a text stream, as they arrive in chunks: `event:` and `data:` lines up to a blank line (WHATWG
 * HTML, server-sent events). `onEvent` returning true stops the scan (the awaited answer was found); an event
 * still unfinished past `max.bytes` is handed to `max.exceeded` (it throws: no answer that big is relayed).
 */
export function sseEvents(
  onEvent: (type: string, data: string) => boolean | undefined,
  max?: { bytes: number; exceeded: () => never },
): (text: string) => boolean {
  let buffer = '';
  return (text: string) => {
    buffer += text.replace(/\r\n?/g, '\n');
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const lines = buffer.slice(0, end).split('\n');
      buffer = buffer.slice(end + 2);
      const type =
        lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim() || 'message';
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (onEvent(type, data) === true) return true;
    }
    if (max !== undefined && buffer.length > max.bytes) max.exceeded();
    return false;
  };
}
