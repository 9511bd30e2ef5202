// Browser backends of the HAL devices: WebAudio, a canvas, an on-page
// terminal. The kernel's timers need nothing of their own here (setTimeout
// and performance.now exist in pages as in Node).
export { WebAudioSink } from "./webaudio.ts";
export { CanvasRenderer } from "./canvas.ts";
export { TerminalConsole } from "./terminal.ts";
export { MemoryHostDir } from "./memdir.ts";
export { LineInput } from "./keyboard.ts";
