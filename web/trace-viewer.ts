// A small viewer for the Chrome trace-event JSON that `wasmos run --trace`
// and `wasmos demo pcm --trace` write, for when no trace UI is at hand
// offline (Perfetto UI is a web app; chrome://tracing is gone from recent
// Chromium). One row per track (thread), slices as boxes labelled when wide
// enough, instants as ticks, IPC flows as arrows. ?src=URL&from=US&to=US.

interface Ev {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  id?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

const canvas = document.getElementById("view") as HTMLCanvasElement;
const info = document.getElementById("info")!;
const params = new URLSearchParams(location.search);
let events: Ev[] = [];
let from = Number(params.get("from") ?? NaN);
let to = Number(params.get("to") ?? NaN);
if (Number.isFinite(from)) (document.getElementById("from") as HTMLInputElement).value = String(from);
if (Number.isFinite(to)) (document.getElementById("to") as HTMLInputElement).value = String(to);
const state = { drawn: 0, slices: 0, flows: 0, tracks: 0 };
(window as unknown as { traceView: typeof state }).traceView = state;

const ROW = 26;
const LABEL = 190;

function color(name: string): string {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `hsl(${h % 360} 55% 62%)`;
}

function draw(): void {
  const names = new Map<number, string>();
  const order = new Map<number, number>();
  for (const e of events) {
    if (e.ph === "M" && e.name === "thread_name") names.set(e.tid, String(e.args?.name));
    if (e.ph === "M" && e.name === "thread_sort_index") order.set(e.tid, Number(e.args?.sort_index));
  }
  const tids = [...new Set(events.filter((e) => e.ph !== "M").map((e) => e.tid))].sort((a, b) => (order.get(a) ?? a) - (order.get(b) ?? b));
  const timed = events.filter((e) => e.ph !== "M");
  const lo = Number.isFinite(from) ? from : Math.min(...timed.map((e) => e.ts));
  const hi = Number.isFinite(to) ? to : Math.max(...timed.map((e) => e.ts + (e.dur ?? 0)));
  const width = Math.max(900, window.innerWidth);
  canvas.width = width;
  canvas.height = tids.length * ROW + 40;
  const g = canvas.getContext("2d")!;
  g.fillStyle = "#fff";
  g.fillRect(0, 0, canvas.width, canvas.height);
  const x = (ts: number) => LABEL + ((ts - lo) / Math.max(1e-9, hi - lo)) * (width - LABEL - 10);
  const y = (tid: number) => 30 + tids.indexOf(tid) * ROW;
  // time axis
  g.fillStyle = "#444";
  g.font = "11px system-ui";
  for (let i = 0; i <= 10; i++) {
    const t = lo + ((hi - lo) * i) / 10;
    g.fillRect(x(t), 18, 1, 6);
    g.fillText(`${(t / 1000).toFixed(3)} ms`, x(t) + 2, 14);
  }
  tids.forEach((tid, i) => {
    g.fillStyle = i % 2 ? "#f6f7fb" : "#fff";
    g.fillRect(0, y(tid), width, ROW);
    g.fillStyle = "#222";
    g.font = "12px system-ui";
    g.fillText(names.get(tid) ?? `tid ${tid}`, 6, y(tid) + 17);
  });
  state.slices = 0;
  for (const e of timed) {
    if (e.ph !== "X" || e.ts + (e.dur ?? 0) < lo || e.ts > hi) continue;
    const x0 = Math.max(LABEL, x(e.ts));
    const x1 = Math.min(width - 10, Math.max(x0 + 1, x(e.ts + (e.dur ?? 0))));
    g.fillStyle = e.cat === "sched" ? "#7aa6d8" : color(e.name);
    g.fillRect(x0, y(e.tid) + 4, x1 - x0, ROW - 8);
    state.slices++;
    if (x1 - x0 > 40) {
      g.fillStyle = "#111";
      g.font = "11px system-ui";
      g.save();
      g.beginPath();
      g.rect(x0, y(e.tid), x1 - x0, ROW);
      g.clip();
      g.fillText(e.name, x0 + 3, y(e.tid) + 17);
      g.restore();
    }
  }
  for (const e of timed) {
    if (e.ph !== "i" || e.ts < lo || e.ts > hi) continue;
    g.fillStyle = e.cat === "irq" ? "#d62828" : "#444";
    g.beginPath();
    g.moveTo(x(e.ts), y(e.tid) + 3);
    g.lineTo(x(e.ts) - 4, y(e.tid) + 11);
    g.lineTo(x(e.ts) + 4, y(e.tid) + 11);
    g.fill();
  }
  // flows: s -> t -> ... -> f, by id
  const flows = new Map<number, Ev[]>();
  for (const e of timed)
    if ((e.ph === "s" || e.ph === "t" || e.ph === "f") && e.id !== undefined) (flows.get(e.id) ?? flows.set(e.id, []).get(e.id)!).push(e);
  state.flows = 0;
  g.save();
  g.beginPath();
  g.rect(LABEL, 0, width - LABEL, canvas.height);
  g.clip();
  g.strokeStyle = "rgba(40, 40, 40, 0.7)";
  g.fillStyle = "rgba(40, 40, 40, 0.7)";
  for (const steps of flows.values()) {
    steps.sort((a, b) => a.ts - b.ts || "stf".indexOf(a.ph) - "stf".indexOf(b.ph));
    for (let i = 1; i < steps.length; i++) {
      const a = steps[i - 1];
      const b = steps[i];
      if (b.ts < lo || a.ts > hi) continue;
      const ax = x(a.ts);
      const ay = y(a.tid) + ROW / 2;
      const bx = x(b.ts);
      const by = y(b.tid) + ROW / 2;
      g.beginPath();
      g.moveTo(ax, ay);
      g.bezierCurveTo(ax + 20, ay, bx - 20, by, bx, by);
      g.stroke();
      const ang = Math.atan2(by - ay, bx - ax);
      g.beginPath();
      g.moveTo(bx, by);
      g.lineTo(bx - 6 * Math.cos(ang - 0.4), by - 6 * Math.sin(ang - 0.4));
      g.lineTo(bx - 6 * Math.cos(ang + 0.4), by - 6 * Math.sin(ang + 0.4));
      g.fill();
      state.flows++;
    }
  }
  g.restore();
  state.tracks = tids.length;
  state.drawn++;
  info.textContent = `${events.length} events, ${tids.length} tracks; showing ${(lo / 1000).toFixed(3)}-${(hi / 1000).toFixed(3)} ms: ${state.slices} slices, ${state.flows} flow arrows`;
}

function load(text: string): void {
  const j = JSON.parse(text) as { traceEvents: Ev[] } | Ev[];
  events = Array.isArray(j) ? j : j.traceEvents;
  draw();
}

document.getElementById("file")!.addEventListener("change", async (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) load(await f.text());
});
document.getElementById("apply")!.addEventListener("click", () => {
  from = Number((document.getElementById("from") as HTMLInputElement).value || NaN);
  to = Number((document.getElementById("to") as HTMLInputElement).value || NaN);
  draw();
});
const src = params.get("src");
if (src) void fetch(src).then(async (r) => load(await r.text()));
