/* Approved desk answers as canned replies: "Insert" puts the chosen answer into its box (the
 * .canned block's data-target) where the cursor was, replacing any selected text, and gives the
 * box the focus so the colleague edits it before sending. The answers are in the options'
 * data-text, inserted as text. Without JavaScript the picker stays hidden. */
(function () {
  "use strict";

  for (const block of document.querySelectorAll(".canned")) {
    const field = document.getElementById(block.dataset.target);
    const select = block.querySelector("select");
    const insert = block.querySelector("button");
    if (!field) continue;
    block.hidden = false;
    if (!select || !insert) continue;
    insert.addEventListener("click", () => {
      const option = select.selectedOptions[0];
      if (!option || !option.value) {
        select.focus();
        return;
      }
      const start = field.selectionStart ?? field.value.length;
      const end = field.selectionEnd ?? start;
      field.setRangeText(option.dataset.text, start, end, "end");
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.focus();
    });
  }
})();
