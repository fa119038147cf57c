/** What a transport reports to the API object above it. */
export interface TransportEvents {
  onMessage(data: Buffer, isBinary: boolean): void;
  onFragment(data: Buffer, isBinary: boolean, fin: boolean): void;
  onPing(data: Buffer): void;
  onPong(data: Buffer): void;
  /** The peer's close frame arrived (the echo is on its way). */
  onCloseFrame(code: number, reason: Buffer): void;
  /** A protocol error failed the connection. */
  onError(error: Error): void;
  /** Everything queued was handed to the kernel after a write had to buffer. */
  onDrain(): void;
  /** The transport is gone; `code` is what the close event reports. */
  onClosed(code: number, reason: Buffer): void;
}
