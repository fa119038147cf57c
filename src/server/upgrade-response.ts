/**
 * The `101 Switching Protocols` answer (RFC 6455 section 4.2.2), as the list
 * of lines the `headers` event lets applications inspect and extend, then
 * serialized for a single socket write.
 */

/** The status line and headers of a successful upgrade, without the blank line. */
export function upgradeResponseLines(acceptKey: string, protocol: string, extensions: string): string[] {
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptKey}`,
  ];
  if (protocol !== '') lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
  if (extensions !== '') lines.push(`Sec-WebSocket-Extensions: ${extensions}`);
  return lines;
}

/** The bytes to write: every line ended by CRLF, then the empty line. */
export function serializeResponseLines(lines: readonly string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}
