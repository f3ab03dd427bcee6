/** A fenced shell block that the documentation tests run. */
export interface RunnableBlock {
  /** The line of the opening fence, 1-based. */
  line: number;
  /** The exit code the block must end with: `exit=N` on the fence, 0 if absent. */
  expectedExit: number;
  script: string;
}

const openingFence = /^```sh\s+runnable(?:\s+(.*))?$/;

/**
 * The blocks opened by a fence such as ```` ```sh runnable ```` or ```` ```sh runnable exit=1 ````,
 * in document order. Other fenced blocks (plain ```` ```sh ````, output, YAML) are left alone.
 */
export function parseRunnableBlocks(markdown: string): RunnableBlock[] {
  const lines = markdown.split('\n');
  const blocks: RunnableBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const opening = openingFence.exec(lines[index]?.trimEnd() ?? '');
    if (opening === null) continue;
    const line = index + 1;
    const expectedExit = parseAttributes(opening[1] ?? '', line);
    const body: string[] = [];
    for (index++; index < lines.length && lines[index]?.trimEnd() !== '```'; index++) {
      body.push(lines[index] ?? '');
    }
    if (index >= lines.length) throw new Error(`line ${line}: a runnable block is never closed`);
    blocks.push({ line, expectedExit, script: body.join('\n') });
  }
  return blocks;
}

function parseAttributes(text: string, line: number): number {
  let expectedExit = 0;
  for (const attribute of text.split(/\s+/).filter(Boolean)) {
    const exit = /^exit=(\d+)$/.exec(attribute);
    if (exit === null) throw new Error(`line ${line}: unknown attribute "${attribute}" (only exit=N)`);
    expectedExit = Number(exit[1]);
  }
  return expectedExit;
}
