/**
 * Walks a benchmark's command-line options in order: `visit(arg, value)` is called once per
 * option, and `value()` consumes the word after it (an error when there is none).
 */
export function eachOption(argv, visit) {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    visit(arg, () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    });
  }
}

/** A comma-separated option value as its non-empty, trimmed items. */
export function commaList(text) {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
