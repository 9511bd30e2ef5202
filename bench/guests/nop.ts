// The child spawn_us and cap_check_ns spawn: an AssemblyScript program that
// returns at once. (Importing the SDK links the runtime hooks asconfig.json names.)
import "@wasmos/sdk";
