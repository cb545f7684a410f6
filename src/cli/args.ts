/** Minimal argv reading for the CLIs: positional words and `--name value` / `--flag` options. */
export interface ParsedArgs {
  readonly positional: string[];
  readonly options: Map<string, string | true>;
}

/** `valued` names options that take a value (`--config FILE`); others are flags. */
export function parseArgs(argv: readonly string[], valued: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) options.set(name, a.slice(eq + 1));
      else if (valued.includes(name)) {
        const v = argv[++i];
        if (v === undefined) throw new Error(`--${name} needs a value`);
        options.set(name, v);
      } else options.set(name, true);
    } else positional.push(a);
  }
  return { positional, options };
}
