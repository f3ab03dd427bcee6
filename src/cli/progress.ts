/** A one-line progress bar on a terminal stream; silent when the stream is not a terminal. */
export class ProgressBar {
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
  ) {}

  update(percent: number): void {
    if (!this.stream.isTTY) return;
    const width = 30;
    const clamped = Math.min(100, Math.max(0, percent));
    const filled = Math.round((clamped / 100) * width);
    this.stream.write(
      `\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${clamped.toFixed(0).padStart(3)}%`,
    );
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\u001b[2K');
    this.shown = false;
  }
}
