const lineFeed = 0x0a;
const carriageReturn = 0x0d;
const quote = 0x22;
const space = 0x20;
const tab = 0x09;

/** What a pass over a CSV or JSON Lines file's bytes learned about its records. */
export interface TextRecords {
  /** Records holding at least one character besides their line break (the CSV header included). */
  records: number;
  /** Empty records after the first: a line break right after a line break. */
  emptyRecords: number;
  /** The longest record: the physical line it starts on and its length in bytes without its line break. */
  longest: { line: number; bytes: number };
  /** The first record longer than the limit given, if any. */
  tooLong?: { line: number; bytes: number };
  /** The first physical line whose line break (CRLF or LF) differs from the first line's. */
  mixedLineBreak?: number;
}

export interface TextRecordOptions {
  format: 'csv' | 'jsonl';
  /** The CSV field separator, as the bytes it is written with. */
  delimiter?: Uint8Array;
  /** Records longer than this many bytes are reported in `tooLong`. */
  maxRecordBytes: number;
  /** Stop counting once the record with this number (1-based, empty records included) starts. */
  stopAtRecord?: number;
}

/**
 * Counts the records of a CSV or JSON Lines file as it streams past, chunk by chunk, the way the
 * engine reads them with Warden's dialect (double quotes, "" inside quotes, strict mode):
 *
 * - a record ends at a line feed outside quotes; a carriage return before it belongs to the line
 *   break, so CRLF and LF files count alike, and a last record without a line break counts too;
 * - a CSV quote opens a quoted value only at the start of a field (after the delimiter, a line
 *   break or leading spaces, as DuckDB reads it); elsewhere it is an ordinary character. Inside
 *   quotes, "" is a quote and line breaks belong to the value;
 * - JSON Lines has no quoting across lines (a JSON string cannot hold a raw line break), and a
 *   line of blank space only is no record.
 *
 * Between quotes the scanner jumps with `indexOf` from one quote or line feed to the next, so it
 * keeps up with the digest on the same bytes.
 */
export class TextRecordCounter {
  private readonly csv: boolean;
  private readonly delimiter: Uint8Array;
  private offset = 0;
  /** The last bytes of the previous chunk, for a line break or delimiter split across chunks. */
  private tail = new Uint8Array(0);
  private inQuotes = false;
  /** The previous chunk ended on a quote inside quotes: the next byte decides between "" and a closing quote. */
  private quotePending = false;
  /** Only spaces since the start of the field, so a quote here opens a quoted value. */
  private atFieldStart = true;
  private recordStart = 0;
  private recordLine = 1;
  /** JSON Lines: whether the current record has shown a character other than blank space. */
  private recordHasContent = false;
  private line = 1;
  private terminators = 0;
  private firstBreakIsCrlf: boolean | undefined;
  private readonly result: TextRecords = { records: 0, emptyRecords: 0, longest: { line: 1, bytes: 0 } };
  /** Set once the record asked for in `stopAtRecord` starts: the physical line it starts on. */
  foundLine: number | undefined;

  constructor(private readonly options: TextRecordOptions) {
    this.csv = options.format === 'csv';
    this.delimiter = options.delimiter ?? Uint8Array.of(0x2c);
    if (options.stopAtRecord === 1) this.foundLine = 1;
  }

  push(chunk: Uint8Array): void {
    if (this.foundLine !== undefined) return;
    const end = chunk.length;
    let i = 0;
    if (this.quotePending) {
      this.quotePending = false;
      if (chunk[0] === quote) i = 1;
      else {
        this.inQuotes = false;
        this.atFieldStart = false;
      }
    }
    let nextLineFeed = chunk.indexOf(lineFeed, i);
    if (nextLineFeed === -1) nextLineFeed = end;
    while (i < end && this.foundLine === undefined) {
      if (this.inQuotes) {
        let closing = chunk.indexOf(quote, i);
        if (closing === -1) closing = end;
        // Line breaks inside a quoted value move the physical line, not the record.
        while (nextLineFeed < closing) {
          this.line++;
          nextLineFeed = indexOrEnd(chunk, lineFeed, nextLineFeed + 1);
        }
        if (closing === end) break;
        if (closing + 1 === end) {
          this.quotePending = true;
          break;
        }
        if (chunk[closing + 1] === quote) {
          i = closing + 2;
        } else {
          this.inQuotes = false;
          this.atFieldStart = false;
          i = closing + 1;
        }
        continue;
      }
      const opening = this.csv ? indexOrEnd(chunk, quote, i) : end;
      let segmentStart = i;
      let fieldStartAtSegment = this.atFieldStart;
      while (nextLineFeed < opening && this.foundLine === undefined) {
        this.endRecord(chunk, nextLineFeed, segmentStart);
        segmentStart = nextLineFeed + 1;
        fieldStartAtSegment = true;
        nextLineFeed = indexOrEnd(chunk, lineFeed, nextLineFeed + 1);
      }
      if (this.foundLine !== undefined) return;
      if (!this.csv) {
        if (!this.recordHasContent) this.recordHasContent = hasContent(chunk, segmentStart, end);
        break;
      }
      const fieldStart = this.fieldStartBefore(chunk, opening, segmentStart, fieldStartAtSegment);
      if (opening === end) {
        this.atFieldStart = fieldStart;
        break;
      }
      this.inQuotes = fieldStart;
      this.atFieldStart = false;
      i = opening + 1;
    }
    this.offset += end;
    this.tail = Uint8Array.from(chunk.subarray(Math.max(0, end - 4)));
  }

  /** The counts once the whole file has been pushed. */
  finish(): TextRecords {
    if (this.offset > this.recordStart && this.foundLine === undefined) {
      const lastByte = this.tail[this.tail.length - 1];
      this.closeRecord(this.offset - this.recordStart - (lastByte === carriageReturn ? 1 : 0));
    }
    return this.result;
  }

  private endRecord(chunk: Uint8Array, lineFeedAt: number, segmentStart: number): void {
    if (!this.csv && !this.recordHasContent) {
      this.recordHasContent = hasContent(chunk, segmentStart, lineFeedAt);
    }
    const crlf =
      this.byteAt(chunk, lineFeedAt - 1) === carriageReturn && this.offset + lineFeedAt > this.recordStart;
    const bytes = this.offset + lineFeedAt - this.recordStart - (crlf ? 1 : 0);
    if (this.firstBreakIsCrlf === undefined) this.firstBreakIsCrlf = crlf;
    else if (crlf !== this.firstBreakIsCrlf) this.result.mixedLineBreak ??= this.line;
    this.closeRecord(bytes);
    this.line++;
    this.terminators++;
    this.recordStart = this.offset + lineFeedAt + 1;
    this.recordLine = this.line;
    this.atFieldStart = true;
    if (this.options.stopAtRecord === this.terminators + 1) this.foundLine = this.line;
  }

  private closeRecord(bytes: number): void {
    const empty = this.csv ? bytes === 0 : !this.recordHasContent;
    if (!empty) this.result.records++;
    else if (this.terminators > 0) this.result.emptyRecords++;
    if (bytes > this.result.longest.bytes) this.result.longest = { line: this.recordLine, bytes };
    if (bytes > this.options.maxRecordBytes) this.result.tooLong ??= { line: this.recordLine, bytes };
    this.recordHasContent = false;
  }

  /**
   * Whether position `at` starts a field: looking back over spaces, a delimiter ends just before
   * (or nothing but spaces since `segmentStart`, whose state is known).
   */
  private fieldStartBefore(chunk: Uint8Array, at: number, segmentStart: number, atSegment: boolean): boolean {
    const delimiterIsSpace = this.delimiter.length === 1 && this.delimiter[0] === space;
    let back = at - 1;
    while (back >= segmentStart && chunk[back] === space && !delimiterIsSpace) back--;
    if (back < segmentStart) return atSegment;
    for (let k = 0; k < this.delimiter.length; k++) {
      if (this.byteAt(chunk, back - k) !== this.delimiter[this.delimiter.length - 1 - k]) return false;
    }
    return true;
  }

  /** A byte of this chunk, or of the previous one's tail for a negative position. */
  private byteAt(chunk: Uint8Array, position: number): number | undefined {
    return position >= 0 ? chunk[position] : this.tail[this.tail.length + position];
  }
}

function indexOrEnd(chunk: Uint8Array, byte: number, from: number): number {
  const found = chunk.indexOf(byte, from);
  return found === -1 ? chunk.length : found;
}

function hasContent(chunk: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const byte = chunk[i];
    if (byte !== space && byte !== tab && byte !== carriageReturn) return true;
  }
  return false;
}
