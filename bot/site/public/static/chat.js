/* The chat widget of the public page. Plain JS, no build step.
 *
 * Talks to Rasa's socket.io channel (session persistence) at the URL in the page's
 * data-rasa-url. The server issues a signed session token (bot/chat_sessions.py); the
 * token and the messages shown are kept in sessionStorage, so the conversation survives
 * reloads and reconnections in this tab: the widget presents the token in each
 * session_request and the server binds the connection to that session. Every text is put into the page with
 * textContent / text nodes, never as HTML.
 */
(function () {
  "use strict";

  const root = document.getElementById("almere-chat");
  if (!root || typeof window.io !== "function") return;

  const STORAGE_KEY = "almere-chat";
  const MAX_STORED_MESSAGES = 200;
  const ANSWER_TIMEOUT_MS = 30000;
  // Links, ticket references (ALM-000123) and phone numbers (14 036, +31 36 539 99 11).
  const TOKENS = /\bhttps?:\/\/[^\s<>"']+|\bALM-\d+|\+?\d+(?: \d+)+/g;

  const find = (id) => document.getElementById(id);
  const launcher = find("chat-launcher");
  const panel = find("chat-panel");
  const closeButton = find("chat-close");
  const log = find("chat-log");
  const typing = find("chat-typing");
  const status = find("chat-status");
  const form = find("chat-form");
  const input = find("chat-input");
  const rasaUrl = new URL(root.dataset.rasaUrl, window.location.href);

  // --- What this tab remembers: { sessionId (the session token), open, messages: [{ role, text, buttons }] }

  function loadState() {
    try {
      const saved = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || "null");
      if (saved && Array.isArray(saved.messages)) return saved;
    } catch (error) {
      /* unreadable or unavailable: start afresh */
    }
    return { sessionId: null, open: false, messages: [] };
  }

  const state = loadState();

  function saveState() {
    state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
    try {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (error) {
      /* storage full or disabled: the chat still works in this page */
    }
  }

  // --- Rendering

  /** Append ``text`` to ``parent`` as text nodes: http(s) links become anchors, and ticket
   * references and phone numbers are kept on one line. Never parsed as HTML. */
  function appendText(parent, text) {
    let done = 0;
    for (const match of text.matchAll(TOKENS)) {
      const isLink = /^https?:/.test(match[0]);
      const token = isLink ? match[0].replace(/[.,;:!?)\]]+$/, "") : match[0];
      parent.append(text.slice(done, match.index));
      const node = document.createElement(isLink ? "a" : "span");
      node.textContent = token;
      if (isLink) {
        node.href = token;
        node.rel = "noopener noreferrer";
      } else {
        node.className = "chat-nowrap";
      }
      parent.append(node);
      done = match.index + token.length;
    }
    parent.append(text.slice(done));
  }

  function renderMessage(message) {
    const item = document.createElement("div");
    item.className = "chat-message chat-message-" + message.role;
    const who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = message.role === "user" ? "You: " : "Assistant: ";
    const body = document.createElement("p");
    body.className = "chat-text";
    body.append(who);
    appendText(body, message.text);
    item.append(body);
    log.append(item);
  }

  function renderReplies(buttons) {
    const group = document.createElement("div");
    group.className = "chat-replies";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Suggested replies");
    for (const reply of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "chat-reply";
      button.textContent = reply.title;
      button.addEventListener("click", () => {
        send(reply.title, reply.payload);
        input.focus();
      });
      group.append(button);
    }
    log.append(group);
  }

  function removeReplies() {
    for (const group of log.querySelectorAll(".chat-replies")) group.remove();
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function addMessage(message) {
    state.messages.push(message);
    saveState();
    if (message.text) renderMessage(message);
    if (message.buttons && message.buttons.length) renderReplies(message.buttons);
    scrollToEnd();
  }

  /** Show the stored conversation; only replies after the person's last message keep buttons. */
  function renderHistory() {
    let lastUser = -1;
    state.messages.forEach((message, index) => {
      if (message.role === "user") lastUser = index;
    });
    state.messages.forEach((message, index) => {
      if (message.text) renderMessage(message);
      if (index > lastUser && message.buttons && message.buttons.length) renderReplies(message.buttons);
    });
  }

  let typingTimer = null;

  function showTyping(on) {
    typing.hidden = !on;
    window.clearTimeout(typingTimer);
    if (on) typingTimer = window.setTimeout(() => showTyping(false), ANSWER_TIMEOUT_MS);
    scrollToEnd();
  }

  function setStatus(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  // --- The connection to Rasa

  let socket = null;
  let ready = false; // true once Rasa confirmed our session on the current connection
  const outbox = [];

  function flush() {
    while (ready && socket.connected && outbox.length) {
      // The server takes the message under the session it bound to this connection.
      socket.emit("user_uttered", { message: outbox.shift() });
    }
  }

  function receive(data) {
    if (!data || typeof data !== "object") return;
    const text = typeof data.text === "string" ? data.text : "";
    const offered = data.quick_replies || data.buttons;
    const buttons = (Array.isArray(offered) ? offered : [])
      .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
      .map((b) => ({ title: b.title, payload: b.payload }));
    if (!text && !buttons.length) return;
    showTyping(false);
    addMessage({ role: "bot", text, buttons });
  }

  function connect() {
    if (socket) return;
    setStatus("Connecting to the assistant…");
    const path = rasaUrl.pathname.replace(/\/+$/, "") + "/socket.io";
    socket = window.io(rasaUrl.origin, { path, reconnectionDelayMax: 5000 });
    socket.on("connect", () => {
      ready = false;
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", (data) => {
      const id = typeof data === "string" ? data : data && data.session_id;
      if (id) {
        state.sessionId = id;
        saveState();
      }
      ready = true;
      setStatus("");
      flush();
    });
    socket.on("bot_uttered", receive);
    socket.on("disconnect", () => {
      ready = false;
      showTyping(false);
      setStatus("The connection was lost. Reconnecting…");
    });
    socket.on("connect_error", () => {
      ready = false;
      showTyping(false);
      // Not active: the server refused this page; active: it will keep trying.
      setStatus(
        socket.active
          ? "The assistant cannot be reached right now. Trying again…"
          : "Sorry, the chat is not available on this page."
      );
    });
  }

  function send(text, payload) {
    const shown = text.trim();
    if (!shown) return;
    removeReplies();
    addMessage({ role: "user", text: shown, buttons: [] });
    outbox.push(payload || shown);
    showTyping(true);
    connect();
    flush();
  }

  // --- Opening, closing and typing

  function open(moveFocus) {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    state.open = true;
    saveState();
    connect();
    scrollToEnd();
    if (moveFocus) input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    saveState();
    launcher.focus();
  }

  launcher.addEventListener("click", () => open(true));
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    send(text);
  });

  renderHistory();
  root.hidden = false;
  if (state.open) open(false);
})();
