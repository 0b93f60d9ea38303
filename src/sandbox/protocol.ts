// The exec-request wire format between a covered binary (client, inside the jail) and the broker
// (outside): frames of [type: 1 byte][length: 4 bytes BE][payload]. Kept dependency-free so the client
// bundle stays a few KiB and starts fast.

export const FRAME = {
  /** client → broker: the request as JSON (ExecRequest). */
  request: 1,
  stdin: 2,
  stdinEnd: 3,
  /** client → broker: a signal name the client received (SIGINT, SIGTERM…), to pass on to the tool. */
  signal: 4,
  /** broker → client */
  stdout: 5,
  stderr: 6,
  /** broker → client: the end, as JSON ExecExit. */
  exit: 7,
} as const;

export type FrameType = (typeof FRAME)[keyof typeof FRAME];

export interface ExecRequest {
  v: 1;
  /** The covered path the client was started through (what the kernel handed the interpreter). */
  binary: string;
  /** argv[1…] as the tool would get them. */
  args: string[];
  cwd: string;
  env: Record<string, string>;
  stdinIsTTY: boolean;
}

export interface ExecExit {
  code: number | null;
  signal: string | null;
}

/** Largest frame accepted; a request with a bigger environment or argv is refused, not buffered forever. */
export const MAX_FRAME = 16 * 1024 * 1024;

export const encodeFrame = (type: FrameType, payload: Buffer | string = ''): Buffer => {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(5);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
};

/** Feeds bytes in, calls `onFrame` for every complete frame; throws on a frame larger than MAX_FRAME. */
export const frameReader = (onFrame: (type: number, payload: Buffer) => void) => {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk: Buffer): void => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 5) {
      const len = buf.readUInt32BE(1);
      if (len > MAX_FRAME) throw new Error(`frame of ${len} bytes is over the limit`);
      if (buf.length < 5 + len) return;
      const type = buf.readUInt8(0);
      const payload = buf.subarray(5, 5 + len);
      buf = buf.subarray(5 + len);
      onFrame(type, payload);
    }
  };
};
