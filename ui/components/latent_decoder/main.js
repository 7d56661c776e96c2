// The latent decoder component: runs a model's ONNX decoder in the page with onnxruntime-web
// (vendored in ./ort, served by the app) and draws z → image on a canvas at pointer speed.
// Modes: "sliders" (one per latent dimension), "plane" (exact hover on a linear plane),
// "interp" (A → B, linear or slerp, plays). Every word shown comes from Python (config.texts).
// Where WebAssembly is missing, the decoder is over the cap or fails, the value says
// {backend: "server", reason} and each wanted z goes to Python, whose pixels come back as
// `server_pixels` and are drawn on the same canvas.
// Streamlit's component protocol (postMessage) is spoken directly: no npm package needed.

const T0 = performance.now();
const bd = (window.__bd = { lat: [], latFrame: [], draws: 0, last: null, backend: null, reason: null, error: null,
  tFirstDraw: null, tOrtReady: null, tSessionReady: null, frames: [] });

// ------------------------------------------------------------------ Streamlit protocol
function post(type, data) { window.parent.postMessage({ isStreamlitMessage: true, type, ...data }, "*"); }
let lastValue = "";
function setValue(v) {
  const s = JSON.stringify(v);
  if (s === lastValue) return;
  lastValue = s;
  post("streamlit:setComponentValue", { value: v, dataType: "json" });
}
let lastHeight = -1;
function setHeight() {
  const h = Math.ceil(document.body.scrollHeight) + 4;
  if (h !== lastHeight) { lastHeight = h; post("streamlit:setFrameHeight", { height: h }); }
}
new ResizeObserver(setHeight).observe(document.body);

// ------------------------------------------------------------------ state
const S = { cfg: null, cfgKey: null, ort: null, session: null, sha: null, backend: null, reason: null,
  pending: null, busy: false, seq: 0, waiting: null, z: null, label: null, els: {} };

Object.defineProperty(bd, "busy", { get: () => S.busy || !!S.pending || !!S.waiting });

function value() {
  return { backend: S.backend, reason: S.reason, have: S.session ? S.sha : null, seq: S.seq,
    z: S.backend === "server" && S.waiting ? S.waiting.z : null };
}

// ------------------------------------------------------------------ onnxruntime-web
let ortPromise = null;
function loadOrt() {
  if (!ortPromise) {
    ortPromise = (async () => {
      const ort = await import("./ort/ort.wasm.bundle.min.mjs");
      ort.env.wasm.numThreads = 1;  // no SharedArrayBuffer without cross-origin isolation; one thread is plenty
      ort.env.wasm.proxy = false;
      // the binary is vendored gzip'ed (3.8 MB instead of 14.8 MB): inflate it here and hand it over,
      // so no MIME type or wasm streaming compile is involved
      const r = await fetch("./ort/ort-wasm-simd-threaded.wasm.gz");
      if (!r.ok) throw new Error(`runtime binary: HTTP ${r.status}`);
      const gz = new Uint8Array(await r.arrayBuffer());
      const inflated = new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip")));
      ort.env.wasm.wasmBinary = await inflated.arrayBuffer();
      bd.tOrtReady = performance.now() - T0;
      return ort;
    })();
  }
  return ortPromise;
}

async function loadModel(bytes, sha) {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  S.ort = ort;
  S.session = session;
  S.sha = sha;
  bd.tSessionReady = performance.now() - T0;
}

function fallback(reason, err) {
  if (err) { bd.error = String(err && err.message || err); console.error("latent decoder:", err); }
  S.backend = "server";
  S.reason = reason;
  bd.backend = "server"; bd.reason = reason;
  status();
  setValue(value());
}

// ------------------------------------------------------------------ decoding and drawing
async function runDecoder(z) {
  const spec = S.cfg.spec, ort = S.ort;
  const feeds = { [spec.input_name]: new ort.Tensor("float32", Float32Array.from(z), [1, z.length]) };
  if (spec.label_name) {
    const y = S.cfg.label == null ? 0 : S.cfg.label;
    if (spec.label === "index") feeds[spec.label_name] = new ort.Tensor("int64", BigInt64Array.from([BigInt(y)]), [1]);
    else { const oh = new Float32Array(spec.num_classes); oh[y] = 1; feeds[spec.label_name] = new ort.Tensor("float32", oh, [1, spec.num_classes]); }
  }
  const out = await S.session.run(feeds);
  return out[S.session.outputNames[0]].data;
}

// decoder output (C·H·W floats, CHW) → uint8 pixels as the server's to_uint8_images makes them
function toPixels(data) {
  const [C, H, W] = S.cfg.spec.image_shape, logits = S.cfg.spec.logits, n = H * W;
  const px = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      let v = data[(C === 1 ? 0 : c) * n + i];
      if (logits) v = 1 / (1 + Math.exp(-v));
      v = v < 0 ? 0 : v > 1 ? 1 : v;
      px[i * 4 + c] = Math.round(v * 255);
    }
    px[i * 4 + 3] = 255;
  }
  return px;
}

// server pixels: uint8 (H, W) grey or (H, W, 3) RGB → RGBA
function serverPixels(bytes) {
  const [C, H, W] = S.cfg.spec.image_shape, n = H * W;
  const px = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) px[i * 4 + c] = C === 1 ? bytes[i] : bytes[i * 3 + c];
    px[i * 4 + 3] = 255;
  }
  return px;
}

function draw(px, req) {
  const [, H, W] = S.cfg.spec.image_shape, s = S.cfg.scale;
  const nat = S.els.native, view = S.els.view;
  nat.getContext("2d").putImageData(new ImageData(px, W, H), 0, 0);
  const ctx = view.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(nat, 0, 0, W * s, H * s);
  const now = performance.now();
  bd.draws += 1;
  bd.lat.push(now - req.t0);  // input event → canvas drawn
  requestAnimationFrame(() => bd.latFrame.push(performance.now() - req.t0));  // → the frame that shows it
  bd.frames.push(now);
  bd.last = { z: Array.from(req.z), xy: req.xy || null, t: req.t || null, backend: S.backend };
  if (bd.tFirstDraw === null) bd.tFirstDraw = now - T0;
}

// the newest request wins: while one decode runs, later inputs replace each other
function request(z, t0, extra) {
  S.z = z;
  S.pending = { z: Float32Array.from(z), t0: t0 == null ? performance.now() : t0, ...(extra || {}) };
  pump();
}

async function pump() {
  if (S.busy || !S.pending || !S.cfg) return;
  if (S.backend === "wasm") {
    S.busy = true;
    try {
      while (S.pending) {
        const req = S.pending; S.pending = null;
        const data = await runDecoder(req.z);
        draw(toPixels(data), req);
      }
    } catch (e) {
      S.busy = false;
      fallback("failed", e);
      return pump();
    }
    S.busy = false;
  } else if (S.backend === "server") {
    if (S.waiting) return;  // one round trip at a time; the newest pending request goes next
    const req = S.pending; S.pending = null;
    S.seq += 1;
    S.waiting = { ...req, z: Array.from(req.z), seq: S.seq };
    setValue(value());
  }
}

function onServerPixels(args) {
  const seq = S.cfg.server_seq;
  if (!S.waiting || seq !== S.waiting.seq || !args.server_pixels) return;
  const req = S.waiting; S.waiting = null;
  draw(serverPixels(args.server_pixels), req);
  pump();
}

// for tests and the benchmark: decode z, draw it, resolve with the draw count
bd.show = async (z) => {
  const n = bd.draws;
  request(z);
  while (bd.draws === n) await new Promise((r) => setTimeout(r, 2));
  return bd.draws;
};
bd.pixels = () => {
  const c = S.els.native;
  return Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data);
};

// ------------------------------------------------------------------ the controls
const el = (tag, attrs, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
};

function status() {
  const t = S.cfg && S.cfg.texts, s = S.els.status;
  if (!t || !s) return;
  s.textContent = S.backend === "wasm" ? t.backend_wasm : S.backend === "server" ? t.backend_server : t.loading;
}

function fmt(v) { return (Math.round(v * 1e4) / 1e4).toString(); }

function build() {
  const cfg = S.cfg, t = cfg.texts, [, H, W] = cfg.spec.image_shape, s = cfg.scale;
  const root = document.getElementById("root");
  root.replaceChildren();
  S.els = {};
  S.els.native = el("canvas", { width: W, height: H, id: "native", style: "display:none" });
  S.els.view = el("canvas", { class: "view", id: "view", width: W * s, height: H * s });
  S.els.status = el("div", { class: "status", id: "status" });
  const side = el("div", { class: "side" }, S.els.status);
  const row = el("div", { class: "row" });
  root.append(S.els.native, row);
  S.z = Float32Array.from(cfg.z0);
  if (cfg.mode === "sliders") buildSliders(row, side, t);
  else if (cfg.mode === "plane") buildPlane(row, side, t);
  else buildInterp(row, side, t);
  status();
  setHeight();
}

function buildSliders(row, side, t) {
  const cfg = S.cfg;
  row.append(S.els.view, side);
  const ztext = el("textarea", { id: "ztext", readonly: "", "aria-label": t.z_text });
  const copyBtn = el("button", { id: "copy", onclick: async () => {
    ztext.select();
    try { await navigator.clipboard.writeText(ztext.value); } catch (e) { document.execCommand("copy"); }
    copyBtn.textContent = t.copied; setTimeout(() => (copyBtn.textContent = t.copy), 1200);
  } }, t.copy);
  const inputs = [];
  const showZ = () => { ztext.value = "[" + Array.from(S.z, fmt).join(", ") + "]"; };
  const setAll = (z, t0) => {
    S.z = Float32Array.from(z);
    for (const { dim, input, val } of inputs) { input.value = String(S.z[dim]); val.textContent = fmt(S.z[dim]); }
    showZ();
    request(S.z, t0);
  };
  side.append(el("div", { class: "buttons" },
    el("button", { id: "reset", onclick: (e) => setAll(cfg.z0, e.timeStamp) }, t.reset),
    el("button", { id: "random", onclick: (e) => setAll(Array.from(S.z, () => gauss()), e.timeStamp) }, t.random)),
  el("label", { class: "hint" }, t.z_text), ztext, el("div", { class: "buttons" }, copyBtn));
  const box = el("div", { class: "sliders", id: "sliders" });
  cfg.dims.forEach((dim, i) => {
    const [lo, hi] = cfg.ranges[dim];
    const input = el("input", { type: "range", min: lo, max: hi, step: (hi - lo) / 1000, "data-dim": dim,
      "aria-label": (cfg.dim_labels && cfg.dim_labels[i]) || `z${dim}` });
    input.value = String(S.z[dim]);
    const val = el("span", { class: "val" }, fmt(S.z[dim]));
    input.addEventListener("input", (e) => {
      const z = Float32Array.from(S.z); z[dim] = parseFloat(input.value); S.z = z;
      val.textContent = fmt(z[dim]); showZ(); request(z, e.timeStamp);
    });
    inputs.push({ dim, input, val });
    box.append(el("div", { class: "slider" }, el("span", {}, (cfg.dim_labels && cfg.dim_labels[i]) || `z${dim}`), input, val));
  });
  S.els.root = document.getElementById("root");
  S.els.root.append(box);
  showZ();
  S.initial = () => request(S.z);
}

// a standard normal draw (Box–Muller)
function gauss() {
  let u = 0; while (u === 0) u = Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
}

function buildPlane(row, side, t) {
  const cfg = S.cfg, P = 280, [x0, x1, y0, y1] = cfg.bounds, pl = cfg.plane;
  const plane = el("canvas", { class: "plane", id: "plane", width: P, height: P, style: `width:min(${P}px, 100%);aspect-ratio:1` });
  const coords = el("div", { class: "hint", id: "coords" }, "");
  side.append(el("div", { class: "hint" }, t.hover_hint), coords);
  row.append(plane, S.els.view, side);
  if (cfg.note) document.getElementById("root").append(el("div", { class: "hint", id: "note" }, cfg.note));
  let bg = null;
  const paint = (px, py) => {
    const ctx = plane.getContext("2d");
    ctx.clearRect(0, 0, P, P);
    if (bg) { ctx.imageSmoothingEnabled = false; ctx.drawImage(bg, 0, 0, P, P); }
    if (px != null) {
      ctx.strokeStyle = "rgba(255,75,75,.9)"; ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(px + 0.5, 0); ctx.lineTo(px + 0.5, P); ctx.moveTo(0, py + 0.5); ctx.lineTo(P, py + 0.5); ctx.stroke();
    }
  };
  if (cfg.background) { bg = new Image(); bg.onload = () => paint(); bg.src = cfg.background; }
  const at = (x, y) => pl.origin.map((o, j) => o + x * pl.v1[j] + y * pl.v2[j]);
  plane.addEventListener("pointermove", (e) => {
    const r = plane.getBoundingClientRect();
    const px = (e.clientX - r.left) * (P / r.width), py = (e.clientY - r.top) * (P / r.height);
    const x = x0 + (px / P) * (x1 - x0), y = y1 - (py / P) * (y1 - y0);
    coords.textContent = `(${fmt(x)}, ${fmt(y)})`;
    paint(px, py);
    request(at(x, y), e.timeStamp, { xy: [x, y] });
  });
  paint();
  if (cfg.follow_grid) followGrid(cfg, (x, y, ts) => {
    if (S.backend !== "wasm") return;  // on the server the page shows the pre-decoded sheet instead
    coords.textContent = `(${fmt(x)}, ${fmt(y)})`;
    paint(((x - x0) / (x1 - x0)) * P, ((y1 - y) / (y1 - y0)) * P);
    request(at(x, y), ts, { xy: [x, y], source: "grid" });
  });
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  S.initial = () => request(at(cx, cy), null, { xy: [cx, cy] });
}

// The page's clickable latent grid (a plotly figure whose layout.meta.latent_grid = {bounds, n, tile}
// names the same plane; this frame is same-origin with the app): the pointer over it decodes the
// exact plane point under it. A mosaic pixel p of n tiles of t pixels lies at the fraction
// ((p + 0.5) / t - 0.5) / (n - 1) from the first cell centre to the last (vae_core.latent.cell_centre).
let gridHook = null;
function followGrid(cfg, onPoint) {
  if (gridHook) { gridHook.abort(); gridHook = null; }
  const host = window.frameElement;
  if (!host) return;
  const ac = new AbortController();
  gridHook = ac;
  const [x0, x1, y0, y1] = cfg.bounds;
  const same = (b) => Array.isArray(b) && b.length === 4 && b.every((v, i) => Math.abs(v - cfg.bounds[i]) < 1e-6);
  const frac = (p, n, t) => (n === 1 ? 0.5 : ((p + 0.5) / t - 0.5) / (n - 1));
  let hooked = null;
  const hook = () => {
    if (ac.signal.aborted || !host.isConnected) { clearInterval(timer); return; }
    if (hooked && hooked.isConnected) return;
    for (const gd of host.ownerDocument.querySelectorAll(".js-plotly-plot")) {
      const g = gd.layout && gd.layout.meta && gd.layout.meta.latent_grid;
      if (!g || !same(g.bounds)) continue;
      hooked = gd;
      const shift = host.ownerDocument.defaultView.performance.timeOrigin - performance.timeOrigin;
      gd.addEventListener("pointermove", (e) => {
        const m = gd.layout.meta && gd.layout.meta.latent_grid, fl = gd._fullLayout;
        if (!m || !fl || !fl.xaxis || !same(m.bounds)) return;
        const b = gd.getBoundingClientRect();
        const px = fl.xaxis.p2l(e.clientX - b.left - fl.xaxis._offset);
        const py = fl.yaxis.p2l(e.clientY - b.top - fl.yaxis._offset);
        const size = m.n * m.tile;
        if (!(px >= -0.5 && py >= -0.5 && px <= size - 0.5 && py <= size - 0.5)) return;
        const fx = frac(px, m.n, m.tile), fy = frac(py, m.n, m.tile);
        onPoint(x0 + fx * (x1 - x0), y1 - fy * (y1 - y0), e.timeStamp + shift);
      }, { capture: true, passive: true, signal: ac.signal });
      bd.followingGrid = true;
      return;
    }
  };
  const timer = setInterval(hook, 250);
  ac.signal.addEventListener("abort", () => clearInterval(timer));
  hook();
}

function slerp(a, b, t) {
  const na = Math.hypot(...a), nb = Math.hypot(...b);
  const lin = () => a.map((v, j) => (1 - t) * v + t * b[j]);
  if (na === 0 || nb === 0) return lin();
  let dot = 0; for (let j = 0; j < a.length; j++) dot += (a[j] / na) * (b[j] / nb);
  const om = Math.acos(Math.min(1, Math.max(-1, dot)));
  if (om < 1e-6) return lin();
  const so = Math.sin(om), ka = Math.sin((1 - t) * om) / so, kb = Math.sin(t * om) / so;
  return a.map((v, j) => ka * v + kb * b[j]);
}

function buildInterp(row, side, t) {
  const cfg = S.cfg, A = cfg.z_a || cfg.z0, B = cfg.z_b || cfg.z0, DURATION = 2000;
  let method = "linear", playing = false, start = 0, raf = 0, tcur = 0;
  const scrub = el("input", { type: "range", min: 0, max: 1000, step: 1, value: 0, id: "scrub", "aria-label": t.position });
  const pos = el("span", { class: "hint", id: "pos" }, "0.00");
  const playBtn = el("button", { id: "play" }, t.play);
  const lin = el("input", { type: "radio", name: "method", value: "linear", id: "m-linear", checked: "" });
  const sl = el("input", { type: "radio", name: "method", value: "slerp", id: "m-slerp" });
  const zAt = (tt) => (method === "slerp" ? slerp(A, B, tt) : A.map((v, j) => (1 - tt) * v + tt * B[j]));
  const show = (tt, t0, frame) => { tcur = tt; scrub.value = String(Math.round(tt * 1000)); pos.textContent = tt.toFixed(2); request(zAt(tt), t0, { t: tt, frame }); };
  const tick = (now) => {
    if (!playing) return;
    const ph = ((now - start) % (2 * DURATION)) / DURATION;  // there and back
    show(ph <= 1 ? ph : 2 - ph, now, true);
    raf = requestAnimationFrame(tick);
  };
  playBtn.addEventListener("click", () => {
    playing = !playing;
    playBtn.textContent = playing ? t.pause : t.play;
    if (playing) { start = performance.now() - tcur * DURATION; raf = requestAnimationFrame(tick); } else cancelAnimationFrame(raf);
  });
  scrub.addEventListener("input", (e) => { if (playing) playBtn.click(); show(parseInt(scrub.value, 10) / 1000, e.timeStamp); });
  for (const r of [lin, sl]) r.addEventListener("change", () => { method = r.value; show(tcur); });
  side.append(el("div", { class: "buttons" }, playBtn,
    el("label", {}, lin, " " + t.linear), el("label", {}, sl, " " + t.slerp)));
  row.append(S.els.view, side);
  document.getElementById("root").append(el("div", { class: "scrub" }, el("span", { class: "hint" }, t.position), scrub, pos));
  S.initial = () => show(0);
}

// ------------------------------------------------------------------ render events
async function onRender(args, theme) {
  const cfg = args.config;
  if (theme && theme.textColor) document.body.style.color = theme.textColor;
  if (theme && theme.font) document.body.style.fontFamily = theme.font;
  const { server_seq, ...rest } = cfg;
  const key = JSON.stringify(rest);
  const fresh = key !== S.cfgKey;
  S.cfg = cfg;
  if (fresh) { S.cfgKey = key; S.pending = null; S.waiting = null; build(); }
  const spec = cfg.spec;
  let reason = null;
  if (cfg.force_server) reason = "forced";
  else if (spec.too_big) reason = "too_big";
  else if (typeof WebAssembly === "undefined") reason = "no_wasm";
  if (reason) {
    if (S.backend !== "server" || S.reason !== reason) fallback(reason);
  } else if (S.backend === "server" && S.reason === "failed") {
    // stays on the server: it failed here once
  } else if (!(S.session && S.sha === spec.sha)) {
    if (args.model) {
      if (S.loadingSha !== spec.sha) {
        S.loadingSha = spec.sha;
        S.backend = null; status();
        try {
          await loadModel(args.model, spec.sha);
          S.backend = "wasm"; S.reason = null; bd.backend = "wasm"; bd.reason = null;
          status();
          setValue(value());
          if (S.initial) S.initial();
        } catch (e) {
          fallback("failed", e);
          if (S.initial) S.initial();
        } finally { S.loadingSha = null; }
      }
      return;
    }
    if (S.loadingSha !== spec.sha) setValue({ ...value(), need: spec.sha });  // ask Python for the bytes
    return;
  } else if (S.backend !== "wasm") {
    S.backend = "wasm"; S.reason = null; bd.backend = "wasm"; status(); setValue(value());
  }
  if (S.backend === "server") onServerPixels(args);
  if (fresh && S.backend && S.initial) S.initial();
}

window.addEventListener("message", (ev) => {
  const d = ev.data;
  if (!d || d.type !== "streamlit:render") return;
  onRender(d.args, d.theme);
});
post("streamlit:componentReady", { apiVersion: 1 });
