/* The chat's loader: the one script a web page adds to get the chat.
 *
 *   <script src="https://chat.example/widget.js" data-language="nl" async></script>
 *
 * Every URL it uses is derived from its own src, so the page may be on any origin the chat server
 * allows (ALMERE_CHAT_ORIGINS). It fetches the widget's texts and settings (GET widget/config) and
 * renders the launcher in a Shadow DOM of its own, styled by the chat server's widget.css adopted
 * by that shadow root (style()): the page's styles do not reach the widget, nor the widget's the
 * page, and nothing is inline, so a strict Content-Security-Policy on the page holds. The heavy part (the
 * socket.io client and chat.js) loads when the chat is first opened, or at once when the
 * conversation kept in this tab was left open or a live chat is going on.
 *
 * The shadow root is open: a closed one hides nothing from the page's scripts (they run in the
 * same realm and could replace attachShadow before this script runs), but it would hide the widget
 * from accessibility checkers and test tools.
 *
 * Options on the script tag: data-language (en, nl; else the page's lang), data-position (right,
 * left), data-language-parameter (the query parameter by which the page switches its own
 * language, e.g. "lang": the widget's language switch then reloads the page with it; without it,
 * the widget alone switches) and data-cookie-domain (the city's parent domain, e.g. "almere.nl":
 * the conversation follows the person to the pages of its other subdomains; chat.js keeps the
 * session token, and nothing else, in a cookie of that domain). Colours: CSS custom properties on
 * the page, e.g. --almere-chat-primary-background-color (widget.css names them all). Any element
 * with data-almere-chat-open opens the chat when clicked. One global: window.AlmereChat, with
 * open() and close().
 *
 * The markup from the settings is put in with a <template>'s innerHTML: a page that enforces
 * Trusted Types (require-trusted-types-for 'script') would refuse that.
 */
(function () {
  "use strict";

  if (window.AlmereChat) return; // the snippet twice on a page
  // The snippet's tag (while it runs; a tag manager's copy too), else the first one on the page.
  const script = document.currentScript || document.querySelector('script[src$="/widget.js"]');
  if (!script || !script.src) return;
  const base = new URL(".", script.src);
  const options = script.dataset;
  const STORAGE_KEY = "almere-chat";
  const LANGUAGES = ["en", "nl"];

  function stored() {
    try {
      return JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || "null") || {};
    } catch (error) {
      return {};
    }
  }

  function pageLanguage() {
    const chosen = stored().language;
    if (LANGUAGES.includes(chosen) && !options.languageParameter) return chosen;
    if (LANGUAGES.includes(options.language)) return options.language;
    return (document.documentElement.lang || "").toLowerCase().startsWith("nl") ? "nl" : "en";
  }

  const language = pageLanguage();
  let chat = null; // chat.js's controls, once loaded
  let loading = null;
  let wantOpen = false;
  let shadow = null;
  let config = null;

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = src;
      tag.async = true;
      tag.onload = () => {
        tag.remove();
        resolve();
      };
      tag.onerror = () => reject(new Error("could not load " + src));
      document.head.append(tag);
    });
  }

  /** The socket.io client (which makes itself window.io) and chat.js, once; io is taken back out
   * of the page's globals (any io the page had is put back). */
  function loadChat() {
    if (!loading) {
      let start = null;
      const registered = new Promise((resolve) => (start = resolve));
      namespace._register = start;
      const hadIo = Object.prototype.hasOwnProperty.call(window, "io");
      const pagesIo = window.io;
      loading = loadScript(new URL(config.scripts.socket_io, base).href)
        .then(() => {
          const io = window.io;
          if (hadIo) window.io = pagesIo;
          else delete window.io;
          return loadScript(new URL(config.scripts.chat, base).href).then(() => registered).then((mount) => {
            delete namespace._register;
            chat = mount({ shadow, config, io, language, options, storageKey: STORAGE_KEY });
            if (wantOpen) chat.open(true);
          });
        })
        .catch(() => {
          loading = null; // a later click tries again
          const status = shadow.getElementById("chat-announce");
          if (status) status.textContent = config.texts.unreachable;
        });
    }
    return loading;
  }

  function open() {
    wantOpen = true;
    if (chat) chat.open(true);
    else if (config) loadChat();
  }

  function close() {
    wantOpen = false;
    if (chat) chat.close();
  }

  const namespace = { open, close };
  Object.defineProperty(window, "AlmereChat", { value: namespace });

  // A link or button of the page opens the chat: <a href="/contact" data-almere-chat-open>.
  document.addEventListener("click", (event) => {
    const opener = event.target instanceof Element && event.target.closest("[data-almere-chat-open]");
    if (!opener || !config) return; // no chat (yet): the link goes where it goes
    event.preventDefault();
    open();
  });

  /** widget.css in the shadow root: a constructed stylesheet (adoptedStyleSheets), which a page's
   * style-src does not govern and which puts no <style> or style attribute anywhere; where the
   * browser has none, a <link rel=stylesheet> (then the page's style-src must name the chat
   * server). */
  function style(href) {
    if ("adoptedStyleSheets" in ShadowRoot.prototype && "replaceSync" in CSSStyleSheet.prototype) {
      return fetch(href, { credentials: "omit" })
        .then((reply) => (reply.ok ? reply.text() : ""))
        .then((text) => {
          const sheet = new CSSStyleSheet();
          sheet.replaceSync(text);
          shadow.adoptedStyleSheets = [sheet];
        });
    }
    const sheet = document.createElement("link");
    sheet.rel = "stylesheet";
    sheet.href = href;
    shadow.append(sheet);
    return new Promise((resolve) => {
      sheet.onload = resolve;
      sheet.onerror = resolve;
    });
  }

  function mount() {
    const host = document.createElement("div");
    host.setAttribute("data-almere-chat", "");
    host.dataset.position = options.position === "left" ? "left" : "right";
    shadow = host.attachShadow({ mode: "open" });
    const styled = style(new URL("static/widget.css", base).href);
    document.body.append(host);
    const url = new URL("widget/config", base);
    url.searchParams.set("language", language);
    const fetched = fetch(url.href, { credentials: "omit" }).then((reply) => {
      if (!reply.ok) throw new Error("widget/config: " + reply.status);
      return reply.json();
    });
    Promise.all([fetched, styled])
      .then(([settings]) => {
        config = settings;
        // The chat server's own markup (templates/web/chat.html), texts escaped by its templates.
        const template = document.createElement("template");
        template.innerHTML = config.markup;
        shadow.append(template.content);
        shadow.getElementById("chat-launcher").addEventListener("click", open);
        shadow.getElementById("almere-chat").hidden = false;
        const kept = stored();
        const live = kept.live && (kept.live.state === "waiting" || kept.live.state === "active");
        if (kept.open || live || wantOpen) {
          wantOpen = wantOpen || Boolean(kept.open);
          loadChat();
        }
      })
      .catch(() => host.remove()); // no chat server: no launcher that cannot work
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });
})();
