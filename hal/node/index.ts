// Node backends of the HAL devices: WAV files, PNG files, the terminal, stdio.
export { StdioConsole } from "./console.ts";
export { PngFileSnapshot, zlibDeflate } from "./png-file.ts";
export { terminalRenderer } from "./terminal.ts";
export { WavFileSink } from "./wav-file.ts";
