// motionsim serve: the page. Plain JS, no build step, nothing from the network: it talks to /api only.
"use strict";

const $ = (sel) => document.querySelector(sel);
const PARTS = { right_arm: "right arm", left_arm: "left arm", right_leg: "right leg", left_leg: "left leg", torso: "torso" };
let polling = null;
let current = null; // {job, timeline}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = response.status === 204 ? null : await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((body && body.detail) || `${response.status} ${response.statusText}`);
  return body;
}

function showError(message) {
  const box = $("#error");
  box.textContent = message || "";
  box.hidden = !message;
}

function fmtTime(seconds) {
  const m = Math.floor(seconds / 60);
  return `${m}:${(seconds - 60 * m).toFixed(1).padStart(4, "0")}`;
}

// ------------------------------------------------------------------ submit and progress
async function submit(event) {
  event.preventDefault();
  showError("");
  const form = event.target;
  const data = new FormData(form);
  for (const side of ["a", "b"]) {
    const file = data.get(side);
    if (!(file instanceof File) || !file.name) data.delete(side);
    if (data.get(`${side}_name`) === "") data.delete(`${side}_name`);
    if (!data.has(side) && !data.has(`${side}_name`)) {
      showError(`no file ${side.toUpperCase()}: upload one or pick one from the data folder`);
      return;
    }
  }
  const limit = Number(document.body.dataset.maxUploadMb) * 1024 * 1024;
  for (const side of ["a", "b"]) {
    const file = data.get(side);
    if (file instanceof File && file.size > limit) {
      showError(`${file.name}: larger than the upload limit of ${document.body.dataset.maxUploadMb} MB`);
      return;
    }
  }
  if (!data.has("flip")) data.set("flip", "false");
  $("#submit").disabled = true;
  setProgress(0, "uploading");
  try {
    const job = await api("/api/compare", { method: "POST", body: data });
    location.hash = `job=${job.id}`;
    follow(job.id);
  } catch (err) {
    $("#progress").hidden = true;
    showError(err.message);
  } finally {
    $("#submit").disabled = false;
  }
}

function setProgress(fraction, label) {
  $("#progress").hidden = false;
  $("#progress-fill").style.width = `${Math.round(100 * fraction)}%`;
  $("#progress-label").textContent = label;
}

function follow(jobId) {
  clearInterval(polling);
  const started = Date.now();
  let early = false;  // the scores were shown while the feedback video was still being drawn
  const tick = async () => {
    let job;
    try {
      job = await api(`/api/jobs/${jobId}`);
    } catch (err) {
      clearInterval(polling);
      showError(err.message);
      return;
    }
    const elapsed = ((Date.now() - started) / 1000).toFixed(0);
    setProgress(job.progress, `${job.stage_label} — ${Math.round(100 * job.progress)}% (${elapsed} s)`);
    if (job.status === "running" && job.result && !early) {
      early = true;
      showResult(job);
    }
    if (job.status === "done" || job.status === "failed") {
      clearInterval(polling);
      $("#progress").hidden = true;
      loadHistory();
      if (job.status === "failed") showError(job.error);
      else showResult(job, { scroll: !early });
    }
  };
  polling = setInterval(tick, 500);
  tick();
}

// ------------------------------------------------------------------ result view
// A running job with a result: the scores and timeline now, the video and report links when it is done.
let showing = 0;  // the latest showResult: an earlier one still fetching its timeline must not draw over it
async function showResult(job, { scroll = true } = {}) {
  const mine = ++showing;
  const timeline = job.links.timeline ? await api(job.links.timeline) : null;
  if (mine !== showing) return;
  current = { job, timeline };
  const result = job.result;
  $("#result").hidden = false;
  $("#result-title").textContent = `${job.inputs.a.name}  vs  ${job.inputs.b.name}`;
  showPeople(result.people);
  if (result.people) {
    showVideoAndLinks(job, scroll);
    drawTimeline(null);
    $("#moments").replaceChildren(el("li", { class: "note" }, "each person's timeline is in the HTML report"));
    return;
  }
  const colors = (timeline && timeline.colors) || {};
  const overall = $("#overall");
  overall.replaceChildren(
    el("span", { class: "label" }, "overall"),
    el("span", { class: "value", id: "score-overall", "data-score": result.similarity,
                 style: `color:${colors.overall || "inherit"}` }, result.similarity.toFixed(3)));
  const weights = result.part_weights || {};  // how much each part counts in the overall score
  const rows = Object.entries(result.body_parts).map(([part, score]) => el("tr", {},
    el("th", {}, PARTS[part] || part),
    el("td", { class: "num", "data-part": part, "data-score": score }, score.toFixed(3)),
    el("td", { class: "barcell" }, el("div", { class: "bar small" }, el("div", {
      class: "fill", style: `width:${Math.max(0, Math.min(1, score)) * 100}%;background:${colors[part] || "#888"}` }))),
    el("td", { class: "num weight", "data-weight": weights[part] ?? "", title: "weight in the overall score" },
       part in weights ? `${Math.round(weights[part] * 100)} %` : "")));
  $("#parts tbody").replaceChildren(...rows);
  $("#flipped").hidden = !result.flipped;
  showVideoAndLinks(job, scroll);
  drawTimeline(timeline);
  drawMoments(timeline);
}

// everyone in one input (--person all): one row per person, the best and the weakest marked
function showPeople(people) {
  const table = $("#people");
  table.hidden = !people;
  $("#parts").hidden = Boolean(people);
  $("#result").classList.toggle("everyone", Boolean(people));  // the table is wide: below the video
  if (!people) return;
  const scored = people.filter((p) => p.similarity !== undefined);
  const best = scored.length ? scored.reduce((a, b) => (b.similarity > a.similarity ? b : a)) : null;
  const weakest = scored.length > 1 ? scored.reduce((a, b) => (b.similarity < a.similarity ? b : a)) : null;
  $("#overall").replaceChildren(
    el("span", { class: "label" }, `everyone: ${people.length} ${people.length === 1 ? "person" : "people"}`),
    best ? el("span", { class: "value", id: "score-overall", "data-score": best.similarity },
              `#${best.person} ${best.similarity.toFixed(3)}`) : el("span", {}, "nobody scored"));
  const rows = people.map((p) => el("tr", { "data-person": p.person },
    el("td", {}, `#${p.person}`),
    el("td", { class: "num", title: "first-last frame (frames seen)" },
       `${p.first_frame}-${p.last_frame} (${p.frames_present})`),
    ...(p.similarity === undefined
      ? [el("td", { colspan: 7, class: "note" }, p.error || "not scored")]
      : [el("td", { class: "num", "data-score": p.similarity }, p.similarity.toFixed(2)),
         ...Object.keys(PARTS).map((part) => el("td", { class: "num", "data-part": part },
           p.body_parts[part].toFixed(2))),
         el("td", { class: "mark" }, p === best ? "best" : p === weakest ? "weakest" : "")])));
  $("#people tbody").replaceChildren(...rows);
}

function showVideoAndLinks(job, scroll = true) {
  const video = $("#feedback");
  if (job.links.video) {
    video.hidden = false;
    $("#no-video").hidden = true;
    if (video.getAttribute("src") !== job.links.video) video.src = job.links.video;
  } else {
    video.removeAttribute("src");
    video.hidden = true;
    const drawing = job.status === "running" && job.options.feedback !== false;
    $("#no-video").textContent = drawing ? "Drawing the feedback video; it appears here when it is ready."
      : "No feedback video for this comparison.";
    $("#no-video").hidden = false;
  }
  const names = { report: "HTML report", video: "feedback video", json: "result JSON" };
  $("#links").replaceChildren(...Object.entries(names).filter(([k]) => job.links[k]).flatMap(([k, label], i) => [
    i ? " · " : "", el("a", { href: job.links[k], id: `link-${k}`, target: "_blank", rel: "noopener" }, label)]));
  if (scroll) $("#result").scrollIntoView({ behavior: "smooth", block: "start" });
}

function seekFrame(frame) {
  const video = $("#feedback");
  if (!current || !current.timeline || video.hidden) return;
  video.currentTime = frame / current.timeline.fps;
}

function drawTimeline(tl) {
  const box = $("#timeline");
  box.replaceChildren();
  $("#legend").replaceChildren();
  if (!tl) return;
  const ns = "http://www.w3.org/2000/svg";
  const n = tl.columns.length, rowH = 14, labelW = 70, width = 600, height = tl.parts.length * rowH;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${labelW + width} ${height}`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("id", "timeline-svg");
  tl.parts.forEach((part, row) => {
    const text = document.createElementNS(ns, "text");
    text.setAttribute("x", 2); text.setAttribute("y", row * rowH + rowH - 3);
    text.textContent = tl.labels[row];
    svg.append(text);
    tl.columns.forEach((col, i) => {
      const rect = document.createElementNS(ns, "rect");
      rect.setAttribute("x", labelW + (i * width) / n); rect.setAttribute("y", row * rowH + 1);
      rect.setAttribute("width", width / n + 0.5); rect.setAttribute("height", rowH - 2);
      rect.setAttribute("fill", col.colors[row]);
      const title = document.createElementNS(ns, "title");
      title.textContent = `${tl.labels[row]} ${col.scores[row].toFixed(2)} at frame ${col.frame}`;
      rect.append(title);
      svg.append(rect);
    });
  });
  const cursor = document.createElementNS(ns, "rect");
  cursor.setAttribute("id", "timeline-cursor");
  cursor.setAttribute("x", labelW); cursor.setAttribute("y", 0);
  cursor.setAttribute("width", 2); cursor.setAttribute("height", height);
  svg.append(cursor);
  svg.addEventListener("click", (event) => {
    const box = svg.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * (labelW + width) - labelW;
    if (x >= 0) seekFrame(Math.min(tl.frames - 1, Math.floor((x / width) * tl.frames)));
  });
  box.append(svg);
  $("#legend").replaceChildren(...tl.legend.map((item) =>
    el("span", {}, el("i", { style: `background:${item.color}` }), item.label)));
}

function moveCursor() {
  const video = $("#feedback");
  const cursor = document.getElementById("timeline-cursor");
  if (current && current.timeline && cursor && !video.hidden) {
    const frame = video.currentTime * current.timeline.fps;
    cursor.setAttribute("x", 70 + (600 * Math.min(1, frame / current.timeline.frames)));
  }
  requestAnimationFrame(moveCursor);
}

function drawMoments(tl) {
  const list = $("#moments");
  list.replaceChildren();
  if (!tl || !tl.moments.length) {
    list.append(el("li", { class: "note" }, "no windows (sequence as long as one window)"));
    return;
  }
  for (const m of tl.moments) {
    list.append(el("li", {},
      el("button", { type: "button", class: "link", onclick: () => seekFrame(m.start_frame) },
        `${fmtTime(m.start_s)} (frames ${m.start_frame}–${m.end_frame})`),
      ` score ${m.similarity.toFixed(2)} · weakest: ${PARTS[m.worst_part] || m.worst_part} ${m.worst_score.toFixed(2)}`));
  }
}

// ------------------------------------------------------------------ history and data folder
async function loadHistory() {
  const { data } = await api("/api/jobs");
  const rows = data.map((job) => el("tr", { "data-job": job.id },
    el("td", {}, new Date(job.created * 1000).toLocaleString()),
    el("td", {}, job.inputs.a ? job.inputs.a.name : ""),
    el("td", {}, job.inputs.b ? job.inputs.b.name : ""),
    el("td", { class: "num" }, job.summary && job.summary.similarity != null ? job.summary.similarity.toFixed(3)
                                : (job.options.person || "").includes("all") ? "everyone" : ""),
    el("td", { class: `status ${job.status}`, title: job.error || "" }, job.status),
    el("td", {},
      el("button", { type: "button", class: "link", onclick: () => openJob(job.id) }, "open"), " ",
      el("button", { type: "button", class: "link danger", onclick: () => remove(job) }, "delete"))));
  $("#history-table tbody").replaceChildren(...rows);
  $("#history-empty").hidden = rows.length > 0;
}

async function openJob(jobId) {
  showError("");
  location.hash = `job=${jobId}`;
  const job = await api(`/api/jobs/${jobId}`).catch((err) => { showError(err.message); return null; });
  if (!job) return;
  if (job.status === "done") showResult(job);
  else if (job.status === "failed") showError(job.error);
  else follow(jobId);
}

async function remove(job) {
  const jobId = job.id;
  const names = job.inputs.a && job.inputs.b ? `${job.inputs.a.name} vs ${job.inputs.b.name}` : jobId;
  if (!window.confirm(`Delete the comparison ${names}? Its result, feedback video and report are removed.`)) return;
  try {
    await api(`/api/jobs/${jobId}`, { method: "DELETE" });
  } catch (err) {
    showError(err.message);
  }
  if (current && current.job.id === jobId) {
    $("#result").hidden = true;
    current = null;
  }
  loadHistory();
}

async function loadDataFiles() {
  if (document.body.dataset.hasData !== "true") return;
  const { files } = await api("/api/data");
  for (const side of ["a", "b"]) {
    const select = $(`#pick-${side}`);
    for (const name of files) select.append(el("option", { value: name }, name));
  }
}

$("#compare-form").addEventListener("submit", submit);
loadHistory().catch((err) => showError(err.message));
loadDataFiles().catch((err) => showError(err.message));
requestAnimationFrame(moveCursor);
const fromHash = /job=([0-9a-f]+)/.exec(location.hash);
if (fromHash) openJob(fromHash[1]);
