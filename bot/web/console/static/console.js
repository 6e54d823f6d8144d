// The console's little script: the ticking clock, countdowns, live broadcast progress.
"use strict";
(function () {
  const body = document.body;
  const serverNow = Date.parse(body.dataset.now || "");
  const offset = isNaN(serverNow) ? 0 : serverNow - Date.now();  // the demo clock too
  const now = () => Date.now() + offset;

  function two(n) { return String(n).padStart(2, "0"); }

  function tick() {
    const clock = document.getElementById("clock");
    if (clock) {
      const zone = Number(clock.dataset.zoneOffset || 0) * 1000;
      const local = new Date(now() + zone);
      clock.textContent = two(local.getUTCHours()) + ":" + two(local.getUTCMinutes()) + ":" +
        two(local.getUTCSeconds());
    }
    for (const el of document.querySelectorAll(".countdown")) {
      let left = Math.max(0, Math.round((Date.parse(el.dataset.at) - now()) / 1000));
      const h = Math.floor(left / 3600); left -= h * 3600;
      const m = Math.floor(left / 60); const s = left - m * 60;
      el.textContent = (h ? h + ":" + two(m) : m) + ":" + two(s);
    }
  }

  async function poll() {
    const cards = document.querySelectorAll(".broadcast");
    const ids = Array.from(cards).filter(c => c.querySelector(".percent").textContent.trim() !== "100")
      .map(c => c.dataset.id);
    if (!ids.length) return;
    const response = await fetch("/console/broadcasts/progress.json?ids=" + ids.join(","),
                                 {credentials: "same-origin"});
    if (!response.ok) return;
    const data = await response.json();
    for (const card of cards) {
      const p = data[card.dataset.id];
      if (!p) continue;
      for (const status of ["sent", "failed", "blocked"]) {
        card.querySelector(".bar ." + status).style.width =
          (p.total ? 100 * p.counts[status] / p.total : 0) + "%";
      }
      for (const el of card.querySelectorAll("[data-count]")) el.textContent = p.counts[el.dataset.count];
      card.querySelector(".percent").textContent = p.percent;
      card.querySelector(".bar").setAttribute("aria-valuenow", p.percent);
      const list = card.querySelector(".failures");
      list.replaceChildren(...p.failures.map(f => { const li = document.createElement("li"); li.textContent = f; return li; }));
    }
  }

  tick();
  setInterval(tick, 1000);
  if (document.querySelector(".broadcast")) setInterval(poll, 1000);
})();
