// scale_processes: a process that blocks for an hour of real time and exits.
// The scale figure runs it in a real-time kernel and kills it long before.
import { sleep } from "@wasmos/sdk";

sleep(<i64>3600 * 1_000_000_000);
