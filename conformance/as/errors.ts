// Errors are values in the SDK: a forged handle, a closed one and a missing name come back as negative errnos.
import { close, errnoName, handle, println } from "@wasmos/sdk";

println(errnoName(close(0x00350007)));
println(errnoName(handle("nothing")));
const self = handle("self");
println(close(self).toString());
println(errnoName(close(self)));
