// HTTP/2 settings shared by the load generator and the bench's own h2c servers (bench code
// only; no target library reads them except through the server programs that apply them).
//
// Node's defaults (64 KiB per stream and per session, 10 MB of session memory) would make
// flow control, not the servers, the limit: one session carries 64 streams x 16 messages of
// ~1 KiB = ~1 MiB in flight each way, 16 times the default session window. Chosen here:
// - STREAM_WINDOW 1 MiB (SETTINGS_INITIAL_WINDOW_SIZE): 60x what one stream keeps in flight,
//   so a stream never waits for a WINDOW_UPDATE;
// - SESSION_WINDOW 32 MiB (session.setLocalWindowSize): 30x one session's bytes in flight,
//   nghttp2 sends WINDOW_UPDATE after half of it is consumed, so a session never waits either;
// - the frame size stays at the default: Node 20 cuts DATA frames at 16 KiB whatever
//   SETTINGS_MAX_FRAME_SIZE the peer allows (checked: a 30,000-byte write arrives as 16,384 +
//   13,616 with 64 KiB allowed on both sides);
// - MAX_SESSION_MEMORY 64 MB: nghttp2's buffered data stays far from Node's limit (which
//   answers with ENHANCE_YOUR_CALM and kills the session).

export const STREAM_WINDOW = 1024 * 1024;
export const SESSION_WINDOW = 32 * 1024 * 1024;
export const MAX_SESSION_MEMORY_MB = 64;
export const MAX_CONCURRENT_STREAMS = 1024;

/** SETTINGS each side advertises (servers add enableConnectProtocol, or let wsx add it). */
export const H2_SETTINGS = {
  initialWindowSize: STREAM_WINDOW,
  maxConcurrentStreams: MAX_CONCURRENT_STREAMS,
};
