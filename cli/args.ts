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

/** Parse argv against flags. Arguments after the first positional one stay positional (guest args), unless interspersed. */
export function parseArgs(argv: readonly string[], flags: readonly Flag[], options: { interspersed?: boolean } = {}): Parsed {
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
    // (Unless interspersed: then options may follow positional arguments, as in `build a.ts -o a.wasm`.)
    if ((positional.length > 0 && !options.interspersed) || !a.startsWith("-") || a === "-") {
      positional.push(a);
      continue;
    }
    if (a === "--help" || a === "-h") {
      help = true;
      continue;
    }
    // --name[=value] for long flags, -x for one-letter ones.
    const long = a.startsWith("--");
    const eq = long ? a.indexOf("=") : -1;
    const name = long ? a.slice(2, eq < 0 ? undefined : eq) : a.slice(1);
    const flag = flags.find((f) => f.name === name && (f.name.length === 1) !== long);
    if (!flag) throw new UsageError(`unknown option ${a}`);
    let value: string | boolean = true;
    if (flag.value) {
      if (eq >= 0) value = a.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new UsageError(`${dash(name)} needs ${flag.value}`);
    } else if (eq >= 0) throw new UsageError(`${dash(name)} takes no value`);
    if (flag.repeat) ((out[name] ??= []) as string[]).push(value as string);
    else out[name] = value;
  }
  return { positional, flags: out, help };
}

const dash = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);

export function usage(synopsis: string, details: string, flags: readonly Flag[]): string {
  const lines = [`usage: ${synopsis}`, "", details];
  if (flags.length > 0) {
    lines.push("", "options:");
    for (const f of flags) lines.push(`  ${(dash(f.name) + (f.value ? ` ${f.value}` : "")).padEnd(22)} ${f.doc}`);
  }
  lines.push(`  ${"--help".padEnd(22)} show this help`);
  return lines.join("\n") + "\n";
}
