/* The queue keeps itself up to date without reloading the page: every REFRESH_MS, and as the
 * colleague types a search or changes a filter, it fetches the list part (?part=list) and puts it in
 * place of the old one. The search box keeps the focus and what is typed in it; a link in the list
 * that had the focus has it again afterwards; the address bar follows the filters (no new history
 * entry). Without JavaScript the filters' form and the "Refresh the queue" link do the same. */
(function () {
  "use strict";

  const REFRESH_MS = 10000;
  const TYPING_MS = 300;

  const form = document.querySelector("form.filters");
  const said = document.getElementById("queue-said");
  if (!form || !document.getElementById("queue-list")) return;
  let asked = 0;
  let typing = null;

  function query() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (String(value).trim()) params.set(name, String(value));
    }
    return params;
  }

  async function refresh(announce) {
    const number = ++asked;
    const params = query();
    const address = params.toString() ? "?" + params : window.location.pathname;
    params.set("part", "list");
    try {
      const reply = await fetch("?" + params, { headers: { Accept: "text/html" } });
      if (!reply.ok || number !== asked) return; /* a refused search keeps the last list */
      const part = new DOMParser().parseFromString(await reply.text(), "text/html").getElementById("queue-list");
      const list = document.getElementById("queue-list");
      if (!part || !list) return;
      const focused = list.contains(document.activeElement) ? document.activeElement.getAttribute("href") : null;
      list.replaceWith(part);
      if (focused) {
        const again = [...part.querySelectorAll("a[href]")].find((link) => link.getAttribute("href") === focused);
        if (again) again.focus();
      }
      window.history.replaceState(null, "", address);
      if (announce) {
        const caption = part.querySelector("caption, #queue-none");
        said.textContent = caption ? caption.textContent.trim() : "";
      }
    } catch (error) {
      /* the next refresh tries again */
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    refresh(true);
  });
  form.addEventListener("change", () => refresh(true));
  form.querySelector("input[type=search]").addEventListener("input", () => {
    window.clearTimeout(typing);
    typing = window.setTimeout(() => refresh(true), TYPING_MS);
  });
  window.setInterval(() => refresh(false), REFRESH_MS);
})();
