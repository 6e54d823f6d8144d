// The projector wall: fetch the approved questions every second, most voted first.
"use strict";
(function () {
  const source = document.body.dataset.source;
  const list = document.getElementById("wall");
  const empty = document.getElementById("empty");
  async function refresh() {
    try {
      const response = await fetch(source, {credentials: "same-origin", cache: "no-store"});
      if (!response.ok) return;
      const data = await response.json();
      list.replaceChildren(...data.questions.map(q => {
        const item = document.createElement("li");
        item.dataset.id = q.id;
        const votes = document.createElement("span");
        votes.className = "votes"; votes.textContent = q.votes;
        const text = document.createElement("span");
        text.className = "text"; text.textContent = q.text;
        item.append(votes, " ", text);
        return item;
      }));
      empty.hidden = data.questions.length > 0;
    } catch (e) { /* the next poll tries again */ }
  }
  setInterval(refresh, 1000);
})();
