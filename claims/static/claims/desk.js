/* NewsFacts desk: keyboard shortcuts and bulk selection. Everything here is a shortcut
   for something the page already does with links, forms and htmx; with JavaScript off
   the desk works without it. */
(function () {
  "use strict";

  let currentId = null; // the claim the keyboard is on (a row in the queue, a highlight in an article)

  function isArticlePage() { return document.body.classList.contains("page-article"); }

  function items() {
    return isArticlePage()
      ? Array.from(document.querySelectorAll("#article-text a.hl[data-claim]"))
      : Array.from(document.querySelectorAll("tr.claim[data-claim]"));
  }

  function markCurrent() {
    document.querySelectorAll(".current[data-claim]").forEach(function (el) {
      if (el.dataset.claim !== currentId) el.classList.remove("current");
    });
    if (!currentId) return null;
    const el = isArticlePage()
      ? document.getElementById("hl-" + currentId)
      : document.getElementById("claim-" + currentId);
    if (el) el.classList.add("current");
    return el;
  }

  function move(step) {
    const list = items();
    if (!list.length) return;
    let index = list.findIndex(function (el) { return el.dataset.claim === currentId; });
    index = index === -1 ? (step > 0 ? 0 : list.length - 1) : Math.min(Math.max(index + step, 0), list.length - 1);
    const target = list[index];
    currentId = target.dataset.claim;
    markCurrent();
    target.scrollIntoView({ block: "nearest", behavior: "smooth" });
    if (isArticlePage()) activate(target); // opens the review panel beside the text
  }

  // Content swapped in a moment ago may not be wired to htmx yet; a click then would be a
  // full page load. Processing is idempotent, so make sure before clicking.
  function activate(el) {
    if (window.htmx) window.htmx.process(el.closest("form") || el);
    el.click();
  }

  function setStatus(key) {
    const scope = isArticlePage()
      ? document.getElementById("review-panel")
      : currentId && document.getElementById("claim-" + currentId);
    if (!scope) return;
    const button = scope.querySelector('button[data-status-key="' + key + '"]');
    if (button) activate(button);
  }

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur(); // back to shortcuts
      return;
    }
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "s": case "d": case "v": case "u": setStatus(event.key); break;
      case "a": { // Apply the first past verdict in the review panel
        const panel = isArticlePage() && document.getElementById("review-panel");
        const button = panel && panel.querySelector("button[data-apply-key]");
        if (!button) return;
        activate(button);
        break;
      }
      case "Enter": {
        if (isArticlePage() || !currentId) return;
        const link = document.querySelector("#claim-" + currentId + " a.summary");
        if (link) link.click();
        break;
      }
      default: return;
    }
    event.preventDefault();
  });

  // A click on a highlight (or a row) makes it the keyboard's current claim too.
  document.addEventListener("click", function (event) {
    const el = event.target.closest && event.target.closest("a.hl[data-claim], tr.claim[data-claim]");
    if (el) { currentId = el.dataset.claim; markCurrent(); }
  });

  // Swapped-in content (a refreshed text, a re-rendered row or panel) keeps the marker.
  // The keyboard's position is not taken from the panel here: with a fast "jjj" the
  // panels arrive after the keys, and an early one must not pull the position back.
  document.addEventListener("htmx:afterSettle", function (event) {
    markCurrent();
    updateBulkCount();
    const panel = document.getElementById("review-panel");
    if (isArticlePage() && panel && event.target === panel) {
      // On a phone the panel sits under the text: bring it up when a claim opens.
      const top = panel.getBoundingClientRect().top;
      if (window.innerWidth <= 900 && (top > window.innerHeight || top < 0)) panel.scrollIntoView({ block: "start" });
    }
  });

  function currentFromPanel() {
    const panel = document.querySelector("#review-panel[data-claim]");
    currentId = panel ? panel.dataset.claim : null;
    markCurrent();
  }
  document.addEventListener("DOMContentLoaded", currentFromPanel);
  document.addEventListener("htmx:historyRestore", currentFromPanel); // back/forward

  // Filters push their URL: leave the empty fields out so links stay short.
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt.matches || !event.detail.elt.matches("form.filters")) return;
    const params = event.detail.parameters;
    Array.from(params.keys ? params.keys() : Object.keys(params)).forEach(function (name) {
      const value = params.get ? params.get(name) : params[name];
      if (value === "" || value === null) {
        if (params.delete) params.delete(name); else delete params[name];
      }
    });
  });

  // Refusals (403) and server errors are not swapped in by htmx: say so.
  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr.status;
    flash(status === 403 ? "You are not allowed to do that." : "The server could not do that (" + status + ").", "error");
  });
  document.addEventListener("htmx:sendError", function () {
    flash("The desk is unreachable. Check your connection and try again.", "error");
  });

  function flash(text, level) {
    const box = document.getElementById("flash");
    if (!box) return;
    const p = document.createElement("p");
    p.className = "message " + level;
    p.setAttribute("role", "alert");
    p.textContent = text;
    box.replaceChildren(p);
  }

  // Bulk selection (desk chiefs): "select all" and a live count of ticked claims.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-all]")) {
      document.querySelectorAll('input[name="claim"][form="bulk-form"]').forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
    if (event.target.matches('input[name="claim"], [data-select-all]')) updateBulkCount();
  });

  function updateBulkCount() {
    const label = document.querySelector("[data-bulk-count]");
    if (!label) return;
    const ticked = document.querySelectorAll('input[name="claim"][form="bulk-form"]:checked').length;
    label.textContent = ticked ? ticked + " ticked:" : "With ticked claims:";
  }
})();
