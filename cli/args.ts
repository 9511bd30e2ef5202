// A small, strict argument parser: --flag, --flag VALUE, --flag=VALUE,
// repeatable flags, `--` ending options. Unknown flags are usage errors.

export interface Flag {
  name: string;
  /** Placeholder for the value; absent for boolean flags. */
  value?: string;
  repeat?: boolean;
  doc: string;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface Parsed {
  positional: string[];
  flags: Record<string, string | boolean | string[]>;
  help: boolean;
}

/** Parse argv against flags. Positional arguments after the first stay positional (guest args). */
export function parseArgs(argv: readonly string[], flags: readonly Flag[]): Parsed {
  const positional: string[] = [];
  const out: Record<string, string | boolean | string[]> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    // Once the program is named, everything else belongs to it.
    if (positional.length > 0 || !a.startsWith("-") || a === "-") {
      positional.push(a);
      continue;
    }
    if (a === "--help" || a === "-h") {
      help = true;
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const flag = flags.find((f) => f.name === name);
    if (!a.startsWith("--") || !flag) throw new UsageError(`unknown option ${a}`);
    let value: string | boolean = true;
    if (flag.value) {
      if (eq >= 0) value = a.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new UsageError(`--${name} needs ${flag.value}`);
    } else if (eq >= 0) throw new UsageError(`--${name} takes no value`);
    if (flag.repeat) ((out[name] ??= []) as string[]).push(value as string);
    else out[name] = value;
  }
  return { positional, flags: out, help };
}

export function usage(synopsis: string, details: string, flags: readonly Flag[]): string {
  const lines = [`usage: ${synopsis}`, "", details];
  if (flags.length > 0) {
    lines.push("", "options:");
    for (const f of flags) lines.push(`  --${(f.name + (f.value ? ` ${f.value}` : "")).padEnd(20)} ${f.doc}`);
  }
  lines.push(`  ${"--help".padEnd(22)} show this help`);
  return lines.join("\n") + "\n";
}
