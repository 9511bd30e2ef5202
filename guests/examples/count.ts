// count: print the numbers 1..N (argument 1, default 100000), one a line, to
// /dev/stdout. For pipelines: `wasmos run count.ts | head -1` ends as soon as
// head has what it wants.

import { args } from "@wasmos/sdk";
import { stdout } from "@wasmos/sdk/fs";

const a = args();
const n = a.length > 1 ? I32.parseInt(a[1]) : 100000;
const out = stdout();
for (let i = 1; i <= n; i++) out.writeString(i.toString() + "\n");
