// The analyst's evaluation page: current criterion, verdict keys, evidence from the transcript.
// The score itself is always computed on the server (htmx preview), so there is one formula.
(function () {
  "use strict";
  const form = document.getElementById("evaluation-form");
  if (!form) return;
  const items = Array.from(form.querySelectorAll(".criterion-item"));
  let current = items[0] || null;
  let lastSelection = null;
  let dirty = false;

  function setCurrent(item, scroll) {
    if (!item) return;
    items.forEach((el) => el.classList.toggle("is-current", el === item));
    current = item;
    if (scroll) {
      item.scrollIntoView({ block: "nearest", behavior: "smooth" });
      item.focus({ preventScroll: true });
    }
  }

  function evidenceField(item) {
    return item.querySelector('input[name^="evidence-"]');
  }

  function readEvidence(item) {
    try {
      return JSON.parse(evidenceField(item).value || "[]");
    } catch (e) {
      return [];
    }
  }

  function writeEvidence(item, list) {
    evidenceField(item).value = JSON.stringify(list);
    const box = item.querySelector(".evidence-list");
    const template = document.getElementById("evidence-chip-template");
    box.textContent = "";
    list.forEach((entry, index) => {
      const chip = template.content.firstElementChild.cloneNode(true);
      chip.dataset.index = String(index);
      const link = chip.querySelector("a");
      link.href = "#turn-" + entry.turn;
      link.textContent = "#" + (entry.turn + 1);
      const quote = entry.quote || "";
      chip.querySelector(".quote").textContent = quote
        ? "«" + (quote.length > 50 ? quote.slice(0, 49) + "…" : quote) + "»"
        : "";
      box.appendChild(chip);
    });
    dirty = true;
    form.dispatchEvent(new CustomEvent("evidence-changed", { bubbles: true }));
  }

  function addEvidence(item, entry) {
    if (!item) return;
    const list = readEvidence(item);
    const same = list.some(
      (e) => e.turn === entry.turn && e.start === entry.start && e.end === entry.end
    );
    if (!same) list.push(entry);
    writeEvidence(item, list);
  }

  function bubbleOf(node) {
    const element = node && (node.nodeType === 1 ? node : node.parentElement);
    return element ? element.closest(".bubble[data-turn]") : null;
  }

  // Offsets are counted in the turn's own text, the same characters the server stores.
  function offsetIn(bubble, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(bubble);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    const bubble = bubbleOf(range.startContainer);
    if (!bubble || bubble !== bubbleOf(range.endContainer)) return;
    const start = offsetIn(bubble, range.startContainer, range.startOffset);
    const end = offsetIn(bubble, range.endContainer, range.endOffset);
    if (end > start) {
      lastSelection = {
        turn: Number(bubble.dataset.turn),
        start: start,
        end: end,
        quote: bubble.textContent.slice(start, end),
      };
    }
  });

  function attachSelection(item) {
    if (!lastSelection) {
      window.alert(form.dataset.noSelection || "Select text in the transcript first.");
      return;
    }
    addEvidence(item, lastSelection);
    lastSelection = null;
    const selection = document.getSelection();
    if (selection) selection.removeAllRanges();
  }

  function choose(item, verdict) {
    if (!item) return;
    const input = item.querySelector('input[type="radio"][data-verdict="' + verdict + '"]');
    if (!input) return;
    input.checked = true;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  items.forEach((item) => {
    item.addEventListener("focusin", () => setCurrent(item, false));
    item.addEventListener("click", () => setCurrent(item, false));
  });

  form.addEventListener("click", (event) => {
    const remove = event.target.closest(".remove-evidence");
    if (remove) {
      const item = remove.closest(".criterion-item");
      const index = Number(remove.closest(".evidence-chip").dataset.index);
      const list = readEvidence(item);
      list.splice(index, 1);
      writeEvidence(item, list);
      return;
    }
    if (event.target.closest(".attach-selection")) {
      attachSelection(event.target.closest(".criterion-item"));
      return;
    }
    const turnButton = event.target.closest(".attach-turn");
    if (turnButton) {
      const bubble = document.querySelector('.bubble[data-turn="' + turnButton.dataset.turn + '"]');
      const text = bubble ? bubble.textContent : "";
      addEvidence(current, { turn: Number(turnButton.dataset.turn), start: 0, end: text.length, quote: text });
    }
  });

  form.addEventListener("change", () => {
    dirty = true;
  });
  form.addEventListener("submit", () => {
    dirty = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  function submitWith(action) {
    const button = form.querySelector('button[name="action"][value="' + action + '"]');
    if (button) {
      dirty = false;
      form.requestSubmit(button);
    }
  }

  // Keys by physical position (event.code) so they work in the Russian layout too.
  const verdictKeys = {
    Digit1: "yes", KeyY: "yes",
    Digit2: "partial", KeyP: "partial",
    Digit3: "no", KeyN: "no",
    Digit4: "na", KeyA: "na",
  };
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.code === "KeyS") {
      event.preventDefault();
      submitWith("save");
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      submitWith("submit");
      return;
    }
    const typing = event.target.closest("textarea, input[type=text], input[type=search], select");
    if (typing) {
      if (event.key === "Escape") {
        event.target.blur();
        setCurrent(current, true);
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const index = items.indexOf(current);
    if (event.code === "KeyJ" || event.key === "ArrowDown") {
      event.preventDefault();
      setCurrent(items[Math.min(index + 1, items.length - 1)], true);
    } else if (event.code === "KeyK" || event.key === "ArrowUp") {
      event.preventDefault();
      setCurrent(items[Math.max(index - 1, 0)], true);
    } else if (verdictKeys[event.code]) {
      event.preventDefault();
      choose(current, verdictKeys[event.code]);
    } else if (event.code === "KeyE") {
      event.preventDefault();
      attachSelection(current);
    } else if (event.code === "KeyC") {
      event.preventDefault();
      const comment = current && current.querySelector("textarea");
      if (comment) comment.focus();
    }
  });

  const failed = form.parentElement.querySelector(".alert[data-field]");
  const errorItem = form.querySelector(".criterion-item.has-error");
  setCurrent(errorItem || current, Boolean(errorItem && failed));
})();
