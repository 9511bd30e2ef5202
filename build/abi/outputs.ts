// Every file generated from the ABI definition, with the generator that writes it.
// gen-abi.ts writes and checks exactly this list; test/abi/drift.test.ts compares it.

import type { AbiDefinition } from "./definition.ts";
import { generateAs } from "./gen-as.ts";
import { generateDocs } from "./gen-docs.ts";
import { generateTs } from "./gen-ts.ts";
import { generateWit } from "./gen-wit.ts";

export interface AbiOutput {
  /** Relative to the repository root. */
  readonly path: string;
  readonly generate: (def: AbiDefinition) => string;
}

export const ABI_OUTPUTS: readonly AbiOutput[] = [
  { path: "abi/gen/abi.ts", generate: generateTs },
  { path: "guests/sdk/bindings/abi.ts", generate: generateAs },
  { path: "docs/abi.md", generate: generateDocs },
  { path: "abi/wit/wasmos.wit", generate: generateWit },
];
