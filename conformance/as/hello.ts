// A typical AssemblyScript guest: greets, echoes its arguments, names its pid.
import { args, println, processInfo } from "@wasmos/sdk";

const argv = args();
println("hello, pid " + processInfo().pid.toString());
for (let i = 1; i < argv.length; i++) println("arg " + i.toString() + ": " + argv[i]);
