// motionsim serve: the Live page. Plain JS, nothing from the network: the reference goes through
// /api/live/references, the take over the WebSocket /api/live/ws (its protocol: motionsim/web/live_socket.py).
"use strict";

const CONFIG = JSON.parse(document.getElementById("live-config").textContent);
const $ = (sel) => document.querySelector(sel);
const STOPS = CONFIG.scale.map(([s, hex]) => [s, [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))]);
const ACTIVE = new Set(["starting", "countdown", "live", "saving", "stopping"]);

const state = {
  phase: "idle", reference: null, ws: null, stream: null, mode: "follow", t0: 0, timers: [],
  seq: 0, sentAt: new Map(), lastSentAt: 0, size: [640, 480], grab: null,
  parts: null, score: null, sum: 0, n: 0, rtt: [], message: null, job: null, skeleton: null,
};

// ------------------------------------------------------------------ colours: render/colors.py's scale
function roundHalfEven(x) {  // Python's round(), which the feedback video's colours use
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function color(score) {
  if (score === null || score === undefined || !Number.isFinite(score)) return CONFIG.neutral;
  let rgb = STOPS[STOPS.length - 1][1];
  if (score <= STOPS[0][0]) rgb = STOPS[0][1];
  else {
    for (let k = 1; k < STOPS.length; k++) {
      if (score <= STOPS[k][0]) {
        const [s0, c0] = STOPS[k - 1], [s1, c1] = STOPS[k], f = (score - s0) / (s1 - s0);
        rgb = c0.map((a, i) => roundHalfEven(a + f * (c1[i] - a)));
        break;
      }
    }
  }
  return "#" + rgb.map((v) => v.toString(16).padStart(2, "0")).join("");
}

// ------------------------------------------------------------------ page helpers
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((body && body.detail) || `${response.status} ${response.statusText}`);
  return body;
}

function setState(phase, text, ...links) {
  state.phase = phase;
  const box = $("#state");
  box.dataset.state = phase;
  box.replaceChildren(text, ...links.flatMap((a) => [" ", a]));
  updateButtons();
}

function updateButtons() {
  const active = ACTIVE.has(state.phase);
  $("#start").disabled = !state.reference || active || state.phase === "preparing";
  $("#stop").disabled = state.phase !== "live";
  $("#discard").disabled = !(state.phase === "live" || state.phase === "countdown");
  $("#reference-use").disabled = active || state.phase === "preparing";
}

// ------------------------------------------------------------------ drawing a COCO-17 pose
function lineWidth(w, h) { return Math.max(2, Math.round(Math.min(w, h) / 96)); }

function joint(points, j) {
  if (j === -1) {  // the neck: mid-shoulders
    const a = joint(points, 5), b = joint(points, 6);
    return a && b ? [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2] : null;
  }
  const p = points[j];
  return p && p[2] > 0 && Number.isFinite(p[0]) && Number.isFinite(p[1]) ? [p[0], p[1]] : null;
}

// Bones in their part's colour (head neutral), white outline first, as render/frames.py draws them.
function drawPose(ctx, points, colors, map = (p) => p, width = null) {
  const w = width || lineWidth(ctx.canvas.width, ctx.canvas.height);
  const segments = CONFIG.head_bones.map(([a, b]) => [a, b, CONFIG.neutral]);
  for (const part of ["torso", ...CONFIG.parts.filter((p) => p !== "torso")]) {
    for (const [a, b] of CONFIG.bones[part]) segments.push([a, b, colors[part] || CONFIG.neutral]);
  }
  const drawn = segments.map(([a, b, c]) => [joint(points, a), joint(points, b), c]).filter(([a, b]) => a && b);
  ctx.lineCap = "round";
  for (const [outline, pass] of [[true, w + 2 * Math.max(2, Math.floor(w / 2))], [false, w]]) {
    for (const [a, b, c] of drawn) {
      const [x0, y0] = map(a), [x1, y1] = map(b);
      ctx.strokeStyle = outline ? "#ffffff" : c;
      ctx.lineWidth = pass;
      ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    }
  }
}

function partColors(scores) {
  const out = {};
  for (const p of CONFIG.parts) out[p] = scores && p in scores ? color(scores[p]) : CONFIG.neutral;
  return out;
}

// ------------------------------------------------------------------ the reference
async function chooseReference(event) {
  event.preventDefault();
  const data = new FormData(event.target);
  const file = data.get("file");
  if (!(file instanceof File) || !file.name) data.delete("file");
  if (data.get("name") === "") data.delete("name");
  if (!data.has("file") && !data.has("name")) {
    setState("error", "no reference: upload one or pick one from the data folder");
    return;
  }
  if (file instanceof File && file.size > CONFIG.max_upload_mb * 1024 * 1024) {
    setState("error", `${file.name}: larger than the upload limit of ${CONFIG.max_upload_mb} MB`);
    return;
  }
  setState("preparing", "reading the reference (pose estimation for a video: a few seconds the first time)…");
  try {
    showReference(await api("/api/live/references", { method: "POST", body: data }));
    setState("ready", `Reference ready: ${state.reference.name}. Stand in front of the camera, then press Start.`);
  } catch (err) {
    setState("error", err.message);
  }
}

function showReference(ref) {
  state.reference = ref;
  const seconds = ref.frames / ref.fps;
  $("#reference-info").textContent = `${ref.name}: ${ref.kind}, ${ref.frames} frames, ${seconds.toFixed(1)} s` +
    (ref.person !== "auto" ? `, person ${ref.person}` : "");
  $("#reference-name").textContent = ref.name;
  const box = { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };  // of every joint seen
  for (const frame of ref.poses) {
    for (let j = 0; j < 17; j++) {
      if (!(frame[3 * j + 2] > 0)) continue;
      const x = frame[3 * j], y = frame[3 * j + 1];
      Object.assign(box, { x0: Math.min(box.x0, x), x1: Math.max(box.x1, x), y0: Math.min(box.y0, y),
                           y1: Math.max(box.y1, y) });
    }
  }
  state.skeleton = box;
  const video = $("#reference-video");
  video.onerror = () => { video.hidden = true; $("#reference-canvas").hidden = false; drawReference(); };
  if (ref.video) {
    video.src = ref.video;
    video.hidden = false;
    $("#reference-canvas").hidden = true;
  } else {
    video.removeAttribute("src");
    video.hidden = true;
    $("#reference-canvas").hidden = false;
  }
  drawReference();
}

function referenceFrame() {
  const ref = state.reference;
  if (!ref || !ACTIVE.has(state.phase) || state.phase === "countdown" || !state.t0) return 0;
  if (state.mode === "free" && state.score) return Math.min(ref.frames - 1, state.score.reference_frame);
  return Math.min(ref.frames - 1, Math.floor(((performance.now() - state.t0) / 1000) * ref.fps));
}

function drawReference() {
  const canvas = $("#reference-canvas");
  const ref = state.reference;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#1d232b";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (!ref || canvas.hidden) return;
  let k = referenceFrame();  // a frame where the estimator found nobody shows the last pose before it
  while (k > 0 && !ref.poses[k].some((v, i) => i % 3 === 2 && v > 0)) k--;
  const flat = ref.poses[k];
  const points = Array.from({ length: 17 }, (_, j) => [flat[3 * j], flat[3 * j + 1], flat[3 * j + 2]]);
  const b = state.skeleton, margin = 30;
  const scale = Math.min((canvas.width - 2 * margin) / Math.max(1, b.x1 - b.x0),
                         (canvas.height - 2 * margin) / Math.max(1, b.y1 - b.y0));
  const ox = (canvas.width - scale * (b.x1 - b.x0)) / 2, oy = (canvas.height - scale * (b.y1 - b.y0)) / 2;
  // the reference is never mirrored: its parts take the scores as they are
  drawPose(ctx, points, partColors(state.score && state.score.body_parts),
           ([x, y]) => [ox + scale * (x - b.x0), oy + scale * (y - b.y0)], 6);
}

// ------------------------------------------------------------------ the take
async function start() {
  if (!state.reference || ACTIVE.has(state.phase)) return;
  resetScores();
  state.mode = $("#mode").value;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    setState("camera", "This page cannot use a camera: browsers offer one only to secure pages. Open it on this " +
      `machine (http://127.0.0.1:${location.port || 80}/live or localhost), or over https.`);
    return;
  }
  setState("starting", "starting the camera…");
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({
      audio: false, video: { width: { ideal: CONFIG.frame_width }, height: { ideal: CONFIG.frame_height },
                             frameRate: { ideal: 30 } } });
  } catch (err) {
    const why = {
      NotAllowedError: "the camera was refused: allow it for this page (the camera icon in the address bar), then " +
        "press Start again",
      NotFoundError: "no camera was found: plug one in, then press Start again",
      NotReadableError: "the camera is in use by another program: close it, then press Start again",
    }[err.name] || `the camera could not start (${err.name}: ${err.message})`;
    setState("camera", why);
    return;
  }
  const camera = $("#camera");
  camera.srcObject = state.stream;
  try { await camera.play(); } catch (err) { /* muted video: plays; a refusal shows in the frames */ }
  const vw = camera.videoWidth || CONFIG.frame_width, vh = camera.videoHeight || CONFIG.frame_height;
  const scale = Math.min(1, CONFIG.frame_width / vw, CONFIG.frame_height / vh);
  state.size = [Math.round(vw * scale), Math.round(vh * scale)];
  state.grab = document.createElement("canvas");
  [state.grab.width, state.grab.height] = state.size;
  const overlay = $("#overlay");
  [overlay.width, overlay.height] = state.size;
  $("#camera-screen").style.aspectRatio = `${vw} / ${vh}`;
  setState("starting", "setting the take up (the pose estimator)…");
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/api/live/ws`);
  ws.binaryType = "arraybuffer";
  state.ws = ws;
  ws.onopen = () => ws.send(JSON.stringify({ type: "start", reference: state.reference.id, mode: state.mode,
                                             keep_video: $("#keep-video").checked }));
  ws.onmessage = (event) => { if (typeof event.data === "string") onMessage(JSON.parse(event.data)); };
  ws.onclose = onClose;
}

function resetScores() {
  Object.assign(state, { seq: 0, lastSentAt: 0, parts: null, score: null, sum: 0, n: 0, rtt: [], message: null,
                         job: null, t0: 0 });
  state.sentAt.clear();
  $("#overall-now").textContent = "–";
  $("#overall-now").removeAttribute("data-score");
  $("#overall-mean").textContent = "–";
  $("#overall-mean").removeAttribute("data-score");
  $("#stats").textContent = "";
  $("#mirrored").hidden = true;
  drawBars(null);
}

function onMessage(m) {
  if (m.type === "ready") countdown(CONFIG.countdown);
  else if (m.type === "frame") onFrame(m);
  else if (m.type === "busy" || m.type === "error") state.message = m.message;
  else if (m.type === "saving") setState("saving", "saving the take: scoring it as compare does…");
  else if (m.type === "discarded") setState("discarded", "Take discarded: nothing was saved.");
  else if (m.type === "saved") saved(m);
}

function countdown(n) {
  const box = $("#countdown");
  setState("countdown", "get ready: the take starts after the count-down");
  const tick = (k) => {
    if (state.phase !== "countdown") { box.hidden = true; return; }
    if (k === 0) { box.hidden = true; begin(); return; }
    box.hidden = false;
    box.textContent = String(k);
    state.timers.push(setTimeout(() => tick(k - 1), 1000));
  };
  tick(n);
}

function begin() {
  state.t0 = performance.now();
  setState("live", state.mode === "follow" ? "Live: copy the reference as it plays (it ends the take when it ends)."
    : "Live, at your own pace: press Stop when you are done.");
  const video = $("#reference-video");
  if (state.reference.video && !video.hidden) {
    video.loop = state.mode === "free";
    video.currentTime = 0;
    video.play().catch(() => {});
  }
  nextCameraFrame();
  requestAnimationFrame(animate);
}

function nextCameraFrame() {
  const camera = $("#camera");
  if (camera.requestVideoFrameCallback) camera.requestVideoFrameCallback(onCameraFrame);
  else requestAnimationFrame(onCameraFrame);
}

function onCameraFrame() {
  if (state.phase !== "live") return;
  nextCameraFrame();
  const ref = state.reference;
  if (state.mode === "follow" && (performance.now() - state.t0) / 1000 > ref.frames / ref.fps + 1.0) {
    stop(true, "The reference ended: ");
    return;
  }
  send();
}

// Flow control: at most CONFIG.in_flight frames between capture and answer; an answer to frame s frees every
// frame up to s (the server keeps only the newest). A frame never answered is forgotten after 2 s.
function send() {
  const now = performance.now(), ws = state.ws;
  for (const [seq, at] of state.sentAt) if (now - at > 2000) state.sentAt.delete(seq);
  if (state.phase !== "live" || !ws || ws.readyState !== WebSocket.OPEN) return;
  if (state.sentAt.size >= CONFIG.in_flight || now - state.lastSentAt < 1000 / 30 - 4) return;
  const seq = state.seq++;
  state.lastSentAt = now;
  state.sentAt.set(seq, now);
  const grab = state.grab;
  grab.getContext("2d").drawImage($("#camera"), 0, 0, grab.width, grab.height);
  grab.toBlob(async (blob) => {
    if (!blob || ws.readyState !== WebSocket.OPEN || state.phase !== "live") { state.sentAt.delete(seq); return; }
    const jpeg = new Uint8Array(await blob.arrayBuffer());
    const message = new Uint8Array(4 + jpeg.length);
    new DataView(message.buffer).setUint32(0, seq, true);
    message.set(jpeg, 4);
    ws.send(message);
  }, "image/jpeg", CONFIG.jpeg_quality);
}

function onFrame(m) {
  const at = state.sentAt.get(m.seq);
  if (at !== undefined) {
    state.rtt.push(performance.now() - at);
    if (state.rtt.length > 90) state.rtt.shift();
  }
  for (const seq of [...state.sentAt.keys()]) if (seq <= m.seq) state.sentAt.delete(seq);
  if (m.score) {
    state.score = m.score;
    state.parts = m.parts;
    state.sum += m.score.similarity;
    state.n += 1;
    showScores(m);
  }
  drawOverlay(m.pose, m.size);
  send();  // a slot is free
}

function drawOverlay(pose, size) {
  const overlay = $("#overlay");
  if (size && (overlay.width !== size[0] || overlay.height !== size[1])) [overlay.width, overlay.height] = size;
  const ctx = overlay.getContext("2d");
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  if (!pose) { overlay.dataset.colors = ""; return; }
  const colors = partColors(state.parts);
  drawPose(ctx, pose, colors);
  overlay.dataset.colors = JSON.stringify(colors);
}

function showScores(m) {
  const s = m.score;
  const now = $("#overall-now"), mean = $("#overall-mean"), avg = state.sum / state.n;
  now.textContent = s.similarity.toFixed(2);
  now.dataset.score = s.similarity;
  now.style.color = color(s.similarity);
  mean.textContent = avg.toFixed(2);
  mean.dataset.score = avg;
  mean.style.color = color(avg);
  $("#mirrored").hidden = !s.flipped;
  drawBars(m.parts);
  const rtt = [...state.rtt].sort((a, b) => a - b);
  $("#stats").textContent = `frame ${m.frame}: ${m.processed} processed, ${m.dropped} dropped · server latency ` +
    `${Math.round(s.latency_ms)} ms · round trip ${Math.round(rtt[Math.floor(rtt.length / 2)] || 0)} ms (median)`;
}

function drawBars(parts) {
  const rows = CONFIG.parts.map((part) => {
    const score = parts ? parts[part] : null;
    const width = score === null ? 0 : Math.max(0, Math.min(1, score)) * 100;
    return el("tr", {},
      el("th", {}, `your ${CONFIG.labels[part]}`),
      el("td", { class: "barcell" }, el("div", { class: "bar" },
        el("div", { class: "fill", style: `width:${width}%;background:${color(score)}` }))),
      el("td", { class: "num", "data-part": part, "data-score": score === null ? "" : score },
         score === null ? "–" : score.toFixed(2)));
  });
  $("#bars tbody").replaceChildren(...rows);
}

function animate() {
  if (!ACTIVE.has(state.phase)) return;
  drawReference();
  requestAnimationFrame(animate);
}

function stop(save, why = "") {
  const ws = state.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  if (state.phase === "countdown") save = false;
  stopCapture();
  ws.send(JSON.stringify({ type: "stop", save }));
  setState(save ? "saving" : "stopping", save ? `${why}saving the take…` : "discarding the take…");
}

function stopCapture() {
  for (const t of state.timers) clearTimeout(t);
  state.timers = [];
  $("#countdown").hidden = true;
  if (state.stream) for (const track of state.stream.getTracks()) track.stop();
  state.stream = null;
  $("#reference-video").pause();
  drawOverlay(null, null);
}

function onClose(event) {
  stopCapture();
  state.ws = null;
  const reason = event.reason ? `: ${event.reason}` : "";
  if (["saved", "discarded", "rendered"].includes(state.phase)) return;
  if (event.code === 1013) setState("busy", state.message || `the server is busy${reason}`);
  else if (state.message) setState(state.phase === "saving" ? "error" : "refused", state.message);
  else if ([1003, 1008, 1009, 1011].includes(event.code)) setState("refused", `the server ended the take${reason}`);
  else if (state.phase === "saving") {
    setState("lost", "the connection was lost while saving: the take may still be saved; look in the history.");
  } else if (ACTIVE.has(state.phase)) {
    const why = [1001, 1012].includes(event.code) ? " (the server stopped)" : reason;
    setState("lost", `the connection to the server was lost${why}: the take was not saved. Press Start to try again.`);
  }
}

async function saved(m) {
  state.job = m.job;
  const open = el("a", { href: `/#job=${m.job}`, id: "saved-link" }, "open it in the history");
  setState("saved", `Saved: ${m.live.processed} frames processed, ${m.live.dropped} dropped; rendering its ` +
    "feedback video…", open);
  for (let i = 0; i < 1200 && state.job === m.job; i++) {
    let job;
    try { job = await api(`/api/jobs/${m.job}`); } catch (err) { return; }
    if (state.job !== m.job) return;
    if (job.status === "done") {
      const report = el("a", { href: job.links.report, id: "saved-report", target: "_blank", rel: "noopener" },
                        "its report");
      setState("saved", `Saved as a comparison: overall ${job.result.similarity.toFixed(3)} for the whole take ` +
        "(as compare scores it).", open, "·", report);
      return;
    }
    if (job.status === "failed") { setState("error", `The take was saved but its rendering failed: ${job.error}`); return; }
    await new Promise((ok) => setTimeout(ok, 500));
  }
}

async function loadDataFiles() {
  if (!CONFIG.has_data) return;
  const { files } = await api("/api/data");
  const select = $("#reference-pick");
  for (const name of files) select.append(el("option", { value: name }, name));
}

$("#reference-form").addEventListener("submit", chooseReference);
$("#start").addEventListener("click", start);
$("#stop").addEventListener("click", () => stop(true));
$("#discard").addEventListener("click", () => stop(false));
$("#legend").replaceChildren(...CONFIG.legend.map((item) =>
  el("span", {}, el("i", { style: `background:${color(item.score)}` }), item.label)));
drawBars(null);
drawReference();
updateButtons();
loadDataFiles().catch((err) => setState("error", err.message));
window.motionsimLive = { color, state };
