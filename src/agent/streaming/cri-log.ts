import { parseRfc3339 } from './log-options.ts';

/** One line of a CRI log file: `<RFC3339Nano> stdout|stderr F|P <content>`. */
export interface CriLogEntry {
  /** The timestamp exactly as written (kubectl --timestamps shows it). */
  readonly timestamp: string;
  readonly time: Date;
  readonly stream: 'stdout' | 'stderr';
  /** P: a piece of a longer line, continued by the next entries; F: the line ends here. */
  readonly partial: boolean;
  readonly content: Buffer;
}

const SP = 0x20;

/** Parses one line (without its newline); undefined when it is not a CRI log line. */
export function parseCriLogLine(line: Buffer): CriLogEntry | undefined {
  const a = line.indexOf(SP);
  if (a <= 0) return undefined;
  const b = line.indexOf(SP, a + 1);
  if (b < 0) return undefined;
  const timestamp = line.toString('latin1', 0, a);
  const time = parseRfc3339(timestamp);
  const stream = line.toString('latin1', a + 1, b);
  if (!time || (stream !== 'stdout' && stream !== 'stderr')) return undefined;
  // The tag is F or P, possibly with more ':'-separated tags after it; the content may be absent.
  let c = line.indexOf(SP, b + 1);
  if (c < 0) c = line.length;
  const tags = line.toString('latin1', b + 1, c).split(':');
  if (tags[0] !== 'F' && tags[0] !== 'P') return undefined;
  return {
    timestamp,
    time,
    stream,
    partial: tags[0] === 'P',
    content: line.subarray(Math.min(c + 1, line.length)),
  };
}

/**
 * Turns entries into what kubectl logs prints: a full entry ends its line with "\n", partial
 * entries are joined into one line; with timestamps, each output line starts with the
 * timestamp of its first piece. Keeps the partial state between calls.
 */
export class LogLineJoiner {
  private inPartial = false;
  private readonly timestamps: boolean;

  constructor(timestamps: boolean) {
    this.timestamps = timestamps;
  }

  render(entry: CriLogEntry): Buffer {
    const parts: Buffer[] = [];
    if (this.timestamps && !this.inPartial) parts.push(Buffer.from(`${entry.timestamp} `));
    parts.push(entry.content);
    if (!entry.partial) parts.push(Buffer.from('\n'));
    this.inPartial = entry.partial;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}
