// hello: the smallest useful guest. Greets, names itself and echoes its arguments.
import { args, println, processInfo } from "@wasmos/sdk";

const argv = args();
println("hello from wasmos, pid " + processInfo().pid.toString());
for (let i = 1; i < argv.length; i++) println("arg " + i.toString() + ": " + argv[i]);
