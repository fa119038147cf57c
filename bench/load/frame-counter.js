// Counts complete messages in a server's byte stream by reading frame headers only.
// State lives in a few numeric fields so a header or payload split across reads
// resumes without allocating (the load generator must stay cheaper than any server).

const PHASE_HEADER = 0;
const PHASE_PAYLOAD = 1;

export class FrameCounter {
  constructor() {
    this.phase = PHASE_HEADER;
    this.partial = Buffer.allocUnsafe(14); // a header split across reads
    this.partialLength = 0;
    this.remaining = 0; // payload bytes left in the current frame
    this.currentFin = false;
    this.currentOpcode = 0;
    this.messageOpcode = 0;
    this.messages = 0; // completed data messages (FIN seen)
    this.payloadBytes = 0;
    this.controlFrames = 0;
    this.closeFrames = 0;
    this.unexpected = 0; // messages whose opcode or length differs from what was sent
    this.expectedOpcode = 0; // 0 = do not check
    this.expectedLength = -1;
    this.messageLength = 0;
  }

  /** Feeds bytes [start, end) of buf; returns how many messages completed in them. */
  feed(buf, start, end) {
    let pos = start;
    let completed = 0;
    while (pos < end) {
      if (this.phase === PHASE_PAYLOAD) {
        const take = Math.min(this.remaining, end - pos);
        this.remaining -= take;
        pos += take;
        if (this.remaining === 0) completed += this.finishFrame();
        continue;
      }
      let hdr = buf;
      let at = pos;
      let available = end - pos;
      if (this.partialLength > 0) {
        // Complete the saved header bytes with just enough of this chunk.
        const need = this.headerLength(this.partial, 0, this.partialLength);
        const want = (need === 0 ? 2 : need) - this.partialLength;
        const take = Math.min(want, available);
        buf.copy(this.partial, this.partialLength, pos, pos + take);
        this.partialLength += take;
        pos += take;
        const full = this.headerLength(this.partial, 0, this.partialLength);
        if (full === 0 || this.partialLength < full) continue;
        hdr = this.partial;
        at = 0;
        available = full;
        this.partialLength = 0;
        this.startFrame(hdr, at);
        if (this.remaining === 0) completed += this.finishFrame();
        continue;
      }
      const full = this.headerLength(hdr, at, available);
      if (full === 0 || available < full) {
        buf.copy(this.partial, 0, pos, end);
        this.partialLength = end - pos;
        break;
      }
      this.startFrame(hdr, at);
      pos += full;
      if (this.remaining === 0) completed += this.finishFrame();
    }
    return completed;
  }

  /** Header length given at least the first 2 bytes, else 0. */
  headerLength(b, at, available) {
    if (available < 2) return 0;
    const len7 = b[at + 1] & 0x7f;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b[at + 1] & 0x80 ? 4 : 0);
  }

  startFrame(b, at) {
    const len7 = b[at + 1] & 0x7f;
    let length = len7;
    if (len7 === 126) length = (b[at + 2] << 8) | b[at + 3];
    else if (len7 === 127) length = b.readUInt32BE(at + 2) * 0x100000000 + b.readUInt32BE(at + 6);
    this.currentFin = (b[at] & 0x80) !== 0;
    this.currentOpcode = b[at] & 0x0f;
    this.remaining = length;
    if (this.currentOpcode < 8) {
      if (this.currentOpcode !== 0) {
        this.messageOpcode = this.currentOpcode;
        this.messageLength = 0;
      }
      this.messageLength += length;
      this.payloadBytes += length;
    }
    this.phase = PHASE_PAYLOAD;
  }

  /** Returns 1 when the finished frame ends a data message. */
  finishFrame() {
    this.phase = PHASE_HEADER;
    if (this.currentOpcode >= 8) {
      this.controlFrames++;
      if (this.currentOpcode === 8) this.closeFrames++;
      return 0;
    }
    if (!this.currentFin) return 0;
    this.messages++;
    if (
      (this.expectedOpcode !== 0 && this.messageOpcode !== this.expectedOpcode) ||
      (this.expectedLength >= 0 && this.messageLength !== this.expectedLength)
    ) {
      this.unexpected++;
    }
    return 1;
  }
}
