// Nurture: keyboard work in the queue, local times, small form helpers. Pages work without it.
(function () {
  "use strict";

  // Times arrive in UTC; show them in the reader's own zone.
  function localTimes() {
    const full = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
    const day = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
    document.querySelectorAll("time[data-local]").forEach(function (el) {
      const when = new Date(el.getAttribute("datetime"));
      if (!isNaN(when)) {
        el.title = el.textContent;
        el.textContent = (el.dataset.local === "date" ? day : full).format(when);
      }
    });
  }

  // "Send later" needs the zone the rep picked the time in.
  function timeZones() {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    document.querySelectorAll("input[data-tz]").forEach(function (el) { el.value = zone; });
  }

  // One click, one submission: the server refuses a second decision anyway.
  function singleSubmit() {
    document.addEventListener("submit", function (event) {
      const form = event.target;
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        // A disabled submitter would drop its name=value, so disable on the next tick.
        setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  }

  function autoSubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form.requestSubmit(); });
    });
  }

  function bulk() {
    const all = document.querySelector("[data-pick-all]");
    const count = document.querySelector("[data-picked-count]");
    const boxes = Array.from(document.querySelectorAll("[data-pick]"));
    function update() {
      const n = boxes.filter(function (b) { return b.checked; }).length;
      if (count) count.textContent = n ? n + " selected" : "";
      if (all) all.checked = n > 0 && n === boxes.length;
    }
    if (all) {
      all.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = all.checked; });
        update();
      });
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  }

  function queueKeys() {
    const cards = Array.from(document.querySelectorAll(".card[data-draft]"));
    if (!cards.length) return;
    let current = -1;

    function select(index, scroll) {
      if (index < 0 || index >= cards.length) return;
      if (current >= 0) cards[current].classList.remove("current");
      current = index;
      const card = cards[current];
      card.classList.add("current");
      card.focus({ preventScroll: true });
      if (scroll) card.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }

    // After an action the next card is marked; on a fresh visit the page stays at its top.
    const wanted = new URLSearchParams(location.search).get("focus");
    const start = cards.findIndex(function (c) { return c.dataset.draft === wanted; });
    select(start >= 0 ? start : 0, start >= 0);
    cards.forEach(function (card, i) {
      card.addEventListener("click", function () { if (current !== i) select(i, false); });
    });

    document.addEventListener("keydown", function (event) {
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.target.closest("input, textarea, select, [contenteditable]")) {
        if (event.key === "Escape") {
          const open = event.target.closest("details");
          if (open) open.open = false;
          if (current >= 0) cards[current].focus();
        }
        return;
      }
      const card = cards[current];
      switch (event.key) {
        case "j": select(current + 1, true); break;
        case "k": select(current - 1, true); break;
        case "a": card.querySelector("[data-action=approve]").requestSubmit(); break;
        case "e": location.href = card.querySelector("[data-action=edit]").href; break;
        case "r": {
          const box = card.querySelector("[data-action=reject]");
          box.open = true;
          box.querySelector("input[name=reason]").focus();
          break;
        }
        case "s": card.querySelector("[data-action=snooze]").requestSubmit(); break;
        case "x": {
          const pick = card.querySelector("[data-pick]");
          pick.checked = !pick.checked;
          pick.dispatchEvent(new Event("change"));
          break;
        }
        default: return;
      }
      event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes();
    timeZones();
    singleSubmit();
    autoSubmit();
    bulk();
    queueKeys();
  });
})();
