/**
 * What a capture must not record (docs/architecture.md, "Security model": never store a secret):
 * secret-looking environment variables, command-line arguments and parameter values.
 */

const secretName = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|AUTH|PRIVATE|SESSION|COOKIE/i;
const secretPrefix = /^(ghp_|gho_|ghs_|ghu_|github_pat_|glpat-|xox[abprs]-|AKIA|ASIA|sk-|sk_live_|wdn_|eyJ)/;
const urlWithPassword = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i;

/** A token with a known prefix, a PEM block, or a URL with a password. */
function secretValue(value: string): boolean {
  return secretPrefix.test(value) || value.includes('-----BEGIN') || urlWithPassword.test(value);
}

/** A value under a secret-looking name, unless the name says it is where a secret is kept (a file). */
function secretNamed(name: string, value: string): boolean {
  return value !== '' && secretName.test(name) && !/file|path|dir/i.test(name);
}

/**
 * True when an environment variable's name or value looks like it holds a secret; its value is then
 * never recorded. Besides `secretValue`, long runs of token characters mixing letters and digits
 * count (an API key under an innocent name), since a variable's value is rarely needed.
 */
export function looksSecret(name: string, value: string): boolean {
  if (secretName.test(name) || secretValue(value)) return true;
  return (
    value.length >= 24 && /^[A-Za-z0-9_\-+=]+$/.test(value) && /[0-9]/.test(value) && /[A-Za-z]/.test(value)
  );
}

/**
 * The position of the first argument of a command line that carries what looks like a secret: a
 * secret-named flag's value (`--token X`, `--api-key=X`), a secret-named assignment (`TOKEN=X`), a
 * URL with a password, or a token with a known prefix. A capture records the command line as it is
 * (a re-run needs it whole), so such a command is refused rather than recorded.
 */
export function secretArgument(command: readonly string[]): number | undefined {
  for (const [index, argument] of command.entries()) {
    const previous = index > 0 ? command[index - 1] : undefined;
    if (previous !== undefined && /^--?[\w.-]+$/.test(previous) && secretNamed(previous, argument))
      return index;
    const assignment = /^-{0,2}([\w.-]+)=(.*)$/s.exec(argument);
    if (assignment !== null && secretNamed(assignment[1] as string, assignment[2] as string)) return index;
    if (secretValue(argument)) return index;
  }
  return undefined;
}

/**
 * Parameter values with secrets replaced by null: a scalar under a secret-looking key, or a string
 * that is a secret by itself. The parameters file's digest still pins the original.
 */
export function withoutSecrets(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutSecrets(item, key));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, withoutSecrets(item, name)]),
    );
  }
  if (typeof value === 'string' || typeof value === 'number') {
    return secretNamed(key, String(value)) || secretValue(String(value)) ? null : value;
  }
  return value;
}
