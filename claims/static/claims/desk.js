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
      ? document.getElementById("claim-" + currentId)
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
  let revealPanel = false; // a claim was tapped: its panel must come into view once it arrives
  let revealRecord = false; // a status or rating was saved: show its sources and history
  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    if (!elt || !elt.matches) return;
    if (elt.matches("a[data-claim]")) revealPanel = true;
    if (elt.matches("form.review-form, form.rating-form, form.review-form button, form.rating-form button")) revealRecord = true;
  });
  document.addEventListener("htmx:afterSettle", function () {
    markCurrent();
    updateBulkCount();
    if (revealPanel && isArticlePage()) {
      revealPanel = false;
      bringPanelIntoView();
    }
    if (revealRecord && isArticlePage()) {
      revealRecord = false;
      showRecord();
    }
  });

  // After a save the form's button sits low in the panel's own scroll; the record of the
  // change (the newest history entry, the sources) is scrolled to, not left out of sight.
  function showRecord() {
    const panel = document.getElementById("review-panel");
    if (!panel) return;
    const newest = panel.querySelector(".history li");
    const sources = panel.querySelector(".sources");
    if (newest) newest.scrollIntoView({ block: "nearest" });
    if (sources) sources.scrollIntoView({ block: "nearest" });
  }

  // On a phone the panel sits under the text (one column): bring it up when a claim opens.
  function bringPanelIntoView() {
    const panel = document.getElementById("review-panel");
    if (!panel || window.innerWidth > 900) return;
    const top = panel.getBoundingClientRect().top;
    if (top > window.innerHeight * 0.5 || top < 0) panel.scrollIntoView({ block: "start" });
  }

  // On a phone the queue's filters start closed: otherwise they fill the first screens.
  function collapseOnNarrow() {
    if (!window.matchMedia("(max-width: 700px)").matches) return;
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (box) { box.open = false; });
  }
  document.addEventListener("DOMContentLoaded", collapseOnNarrow);
  document.addEventListener("DOMContentLoaded", function () {
    if (isArticlePage() && document.querySelector("#review-panel[data-claim]")) bringPanelIntoView();
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

/* Corrections: text selected in the article becomes a span the forms can send (edit a
   claim's span, add a missed claim). The page sends the selection's offsets in the
   article body and its words; the server checks one against the other. Each paragraph
   carries data-at, its offset in the body; a <br> stands for one "\n". Without this
   script the forms still work from the words alone. */
(function () {
  "use strict";

  let selection = null; // {start, end, text} of the last selection in the article text

  function textLength(node) {
    if (node.nodeType === Node.TEXT_NODE) return node.data.length;
    if (node.nodeName === "BR") return 1;
    let length = 0;
    node.childNodes.forEach(function (child) { length += textLength(child); });
    return length;
  }

  // The body offset of a point of the selection, or null when it is not inside a paragraph.
  function bodyOffset(container, offset) {
    const element = container.nodeType === Node.TEXT_NODE ? container.parentElement : container;
    const paragraph = element && element.closest("[data-keyboard-text] p[data-at]");
    if (!paragraph) return null;
    const range = document.createRange();
    range.setStart(paragraph, 0);
    range.setEnd(container, offset);
    return Number(paragraph.dataset.at) + textLength(range.cloneContents());
  }

  function readSelection() {
    const current = window.getSelection();
    if (!current || current.rangeCount === 0 || current.isCollapsed) return;
    const range = current.getRangeAt(0);
    const text = document.querySelector("[data-keyboard-text]");
    if (!text || !text.contains(range.commonAncestorContainer)) return;
    const start = bodyOffset(range.startContainer, range.startOffset);
    const end = bodyOffset(range.endContainer, range.endOffset);
    const words = current.toString();
    if (!words.trim()) return;
    // Offsets that cannot be worked out are left empty: the server finds the words.
    selection = start !== null && end !== null && end > start
      ? { start: start, end: end, text: words }
      : { start: "", end: "", text: words };
    fillForms();
  }

  function fillForms() {
    if (!selection) return;
    document.querySelectorAll("form[data-selection-form]").forEach(function (form) {
      form.querySelector("[data-selection-start]").value = selection.start;
      form.querySelector("[data-selection-end]").value = selection.end;
      form.querySelector("[data-selection-text]").value = selection.text.replace(/\s+/g, " ").trim();
    });
  }

  // Typing in the words by hand drops the offsets: they belonged to the selection.
  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-selection-text]")) return;
    const form = event.target.closest("form");
    form.querySelector("[data-selection-start]").value = "";
    form.querySelector("[data-selection-end]").value = "";
  });

  document.addEventListener("mouseup", function () { window.setTimeout(readSelection, 0); });
  document.addEventListener("keyup", function (event) { if (event.shiftKey) readSelection(); });
  document.addEventListener("selectionchange", readSelection);
  // A selection over a highlight must not open its panel.
  document.addEventListener("click", function (event) {
    const current = window.getSelection();
    if (current && !current.isCollapsed && event.target.closest && event.target.closest("a.hl")) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // A fresh panel (or add form) gets the selection made before it arrived...
  document.addEventListener("htmx:afterSettle", fillForms);
  // ...until a correction made with it is saved: it must not ride along on the next one.
  document.addEventListener("htmx:afterRequest", function (event) {
    const form = event.detail.elt;
    if (!form.matches || !form.matches("form[data-selection-form]")) return;
    const trigger = event.detail.xhr.getResponseHeader("HX-Trigger") || "";
    if (trigger.indexOf("claimChanged") === -1) return; // refused: keep it to try again
    selection = null;
    const current = window.getSelection();
    if (current) current.removeAllRanges(); // else its next selectionchange brings it back
    if (form.id === "add-claim") {
      ["[data-selection-start]", "[data-selection-end]", "[data-selection-text]"].forEach(function (field) {
        form.querySelector(field).value = "";
      });
    }
  });
})();
