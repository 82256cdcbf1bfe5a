/* The chat widget: the part static/widget.js loads when the chat is first opened. Plain JS, no
 * build step.
 *
 * widget.js has put the widget's markup into its shadow root and calls mount() with it, the
 * settings of GET /widget/config (texts, URLs, all absolute: the page may be another site's), the
 * socket.io client (kept out of the page's globals) and the page's options.
 *
 * Talks to Rasa's socket.io channel (session persistence) at config.rasa_url. The server issues a
 * signed session token (bot/access/chat_sessions.py); the token and the messages shown are kept in the
 * page's sessionStorage, so the conversation survives reloads, reconnections and the person's
 * moves between the pages of the site in this tab: the widget presents the token in each
 * session_request and the server binds the connection to that session. Every text is put into the
 * page with textContent / text nodes, never as HTML.
 *
 * Between the subdomains of the city's site (data-cookie-domain="almere.nl" on the snippet, a
 * parent domain of the page's host): the token is kept in a cookie of that domain too
 * (SESSION_COOKIE: Path=/, SameSite=Lax, Secure on https, for as long as a chat session lasts after
 * its last event, config.session_seconds, renewed with each change; the token only, nothing about
 * the person). A tab with no conversation of its own that finds the cookie continues that
 * conversation: it asks the chat server for the log (POST config.history_url with the token;
 * bot/site/public/history.py), shows it after the greeting, and presents the token in its
 * session_request. A token the server refuses, or a conversation it no longer has, is forgotten
 * and a new one starts; a server that cannot answer leaves the conversation going without its log.
 * Starting a new conversation removes the cookie until the server has issued the new token.
 *
 * The handoff form's questions come with a hint of what they expect (actions/handoff_prompts.py):
 * a bot_uttered event {expects: "name" | "contact" | "question" | "consent" | "choice"} right
 * after the question. The input then offers the matching keyboard, autofill and placeholder
 * until the person answers.
 *
 * Live chat with a colleague (bot/handoff/live_chat.py): a bot_uttered event {live_chat: {offer: title}}
 * adds a button that asks for one (socket.io event live_chat_request); {live_chat: {state, staff}}
 * says where the chat stands (waiting, active with a colleague's first name, returned, closed,
 * missed, unavailable), and a message with {from_staff: name} is the colleague's. After a chat,
 * {rating: {token, question}} asks once how helpful it was; the answer goes to POST /feedback.
 * Typing shows both ways (bot/rasa/socketio_channel.py, person_typing): {live_chat: {typing: true}}
 * says the colleague is typing, shown until their message or TYPING_SHOWN_MS after the last one;
 * while a colleague has the chat, the person's typing emits person_typing at most every
 * TYPING_EVERY_MS. A chat with a colleague that ended (closed or returned) offers its copy by
 * e-mail: the socket.io event live_chat_transcript {email}, answered with a message and
 * {live_chat: {transcript: outcome}} (bot/rasa/chat_copy.py); the form stays only for an outcome
 * the person can do something about (KEEP_COPY_FORM).
 *
 * An answer names what it answered (actions/answers.py, the desk's answers): a bot_uttered event
 * {answer: {topic, desk_answer_id?}} right after its text. That message then shows "Helpful" /
 * "Not helpful" buttons; one vote per answer, kept with the message, goes to POST /answer-feedback
 * with the topic only (bot/insights/answer_votes.py).
 *
 * While the desk has switched the assistant off, its reply is followed by {assistant: "off", notice}:
 * the notice shows in the status line until the next reply.
 *
 * Languages: every text the widget shows or announces comes from config.texts
 * (bot/site/public/widget_texts.py, translated by the site's catalogue). The options menu switches
 * between Nederlands and English: with the page's own language parameter (data-language-parameter
 * on the snippet) the page reloads in that language; otherwise the widget keeps the choice with the
 * conversation and the page reloads; the conversation stays. When the widget's language differs
 * from the one it last told the server, it emits set_language {language} once the session is
 * confirmed, so the assistant's replies follow the choice. Each message gets a lang attribute for
 * screen readers: the language its text is in, by the same function-word vote as
 * bot/conversation/reply_language.py (its word lists in config.language_words); when the vote does not tell,
 * the previous message's language, else the widget's.
 */
(function () {
  "use strict";

  const namespace = window.AlmereChat;
  if (!namespace || typeof namespace._register !== "function") return;
  namespace._register(mount);

  /** Bring the widget in ``shadow`` to life; return its open() and close() for widget.js. */
  function mount({ shadow, config, io, language, options, storageKey }) {
    const root = shadow.getElementById("almere-chat");
    const STORAGE_KEY = storageKey;
    const MAX_STORED_MESSAGES = 200;
    const ANSWER_TIMEOUT_MS = 30000;
    const TYPING_SHOWN_MS = 5000;
    const TYPING_EVERY_MS = 2000;
    const KEEP_COPY_FORM = new Set(["invalid_address", "failed"]);
    // Links, ticket references (ALM-000123) and phone numbers (14 036, +31 36 539 99 11).
    const TOKENS = /\bhttps?:\/\/[^\s<>"']+|\bALM-\d+|\+?\d+(?: \d+)+/g;
    const REFERENCE = /^ALM-\d+$/;
    const TEXTS = config.texts;
    /** The text ``key`` with its {placeholders} filled in from ``values``. */
    function say(key, values) {
      return TEXTS[key].replace(/\{(\w+)\}/g, (whole, name) => (values && name in values ? values[name] : whole));
    }
    const PAGE_LANGUAGE = language;
    const LANGUAGE_WORDS = config.language_words;
    const DUTCH_WORDS = new Set(LANGUAGE_WORDS.nl);
    const ENGLISH_WORDS = new Set(LANGUAGE_WORDS.en);
    const WORD = /[a-zà-ÿ']+/g;
    // What the input offers for each expected answer; "contact" is e-mail or phone, as chosen.
    const INPUTS = {
      question: { type: "text", inputmode: "text", autocomplete: "off", placeholder: say("placeholder_question") },
      name: { type: "text", inputmode: "text", autocomplete: "name", placeholder: say("placeholder_name") },
      email: { type: "email", inputmode: "email", autocomplete: "email", placeholder: say("placeholder_email") },
      phone: { type: "tel", inputmode: "tel", autocomplete: "tel", placeholder: say("placeholder_phone") },
      deskQuestion: { type: "text", inputmode: "text", autocomplete: "off", placeholder: say("placeholder_desk_question") },
      choice: { type: "text", inputmode: "text", autocomplete: "off", placeholder: say("placeholder_choice") },
    };

    const find = (id) => shadow.getElementById(id);
    const launcher = find("chat-launcher");
    const unread = find("chat-unread");
    const announcer = find("chat-announce");
    const panel = find("chat-panel");
    const optionsButton = find("chat-options");
    const menu = find("chat-menu");
    const confirmBox = find("chat-confirm");
    const closeButton = find("chat-close");
    const log = find("chat-log");
    const typing = find("chat-typing");
    // The colleague's typing: a polite live region of its own, there (and empty) from the start.
    const staffTyping = Object.assign(document.createElement("p"), { className: "chat-typing chat-staff-typing" });
    staffTyping.setAttribute("role", "status");
    typing.after(staffTyping);
    const status = find("chat-status");
    const kindGroup = find("chat-kind");
    const form = find("chat-form");
    const input = find("chat-input");
    const rasaUrl = new URL(config.rasa_url);
    const privacyUrl = config.privacy_url;
    const welcome = config.welcome;
    const feedbackUrl = config.feedback_url;
    const answerFeedbackUrl = config.answer_feedback_url;
    const COMMENT_MAX = 1000;
    const LIVE_STATUS = {
      waiting: say("live_waiting"),
      active: (name) => say("live_active", { name }),
      returned: say("live_returned"),
      closed: say("live_closed"),
      missed: say("live_missed"),
      unavailable: "",
    };

    // --- What this tab remembers: { sessionId (the session token), open, unread, expects,
    // contactKind, toldLanguage (the language last sent with set_language), language (the
    // widget's own choice, read by widget.js), route (the proxy's routing key, see connect),
    // messages: [{ id, role, text, buttons, time, payload, failed, privacy }] }

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
    let nextId = Date.now();

    function saveState() {
      state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
      try {
        window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
      } catch (error) {
        /* storage full or disabled: the chat still works in this page */
      }
      keepSessionCookie(state.sessionId);
    }

    // --- The session token in a cookie of the city's parent domain (see the header)

    const SESSION_COOKIE = "almere_chat_session";
    const SESSION_TOKEN = /^[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/;
    const cookieDomain = sharedDomain(options.cookieDomain);

    /** ``domain`` if it is the page's host or a parent of it (a browser refuses any other). */
    function sharedDomain(domain) {
      const wanted = String(domain || "").trim().toLowerCase().replace(/^\./, "");
      const host = window.location.hostname.toLowerCase();
      return wanted && (host === wanted || host.endsWith("." + wanted)) ? wanted : null;
    }

    /** Keep ``token`` in the cookie for a session's lifetime from now; none: remove the cookie. */
    function keepSessionCookie(token) {
      if (!cookieDomain) return;
      const kept = typeof token === "string" && SESSION_TOKEN.test(token);
      const secure = window.location.protocol === "https:" ? "; Secure" : "";
      document.cookie =
        SESSION_COOKIE + "=" + (kept ? token : "") + "; Domain=" + cookieDomain + "; Path=/; Max-Age=" +
        (kept ? config.session_seconds : 0) + "; SameSite=Lax" + secure;
    }

    function sessionCookie() {
      if (!cookieDomain) return null;
      for (const pair of document.cookie.split(";")) {
        const [name, value] = pair.trim().split("=");
        if (name === SESSION_COOKIE && SESSION_TOKEN.test(value || "")) return value;
      }
      return null;
    }

    /** A tab without a conversation continues the one of the cookie, with its log from the chat
     * server; a promise settled when it is ready, or null when there is none to continue. */
    function continueFromCookie() {
      const token = state.sessionId || state.messages.length ? null : sessionCookie();
      if (!token) return null;
      state.sessionId = token;
      return fetch(config.history_url, {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ token, language: PAGE_LANGUAGE }),
      })
        .then((reply) => {
          if (reply.status >= 400 && reply.status < 500 && reply.status !== 429) {
            state.sessionId = null; // refused, or nothing left to continue: a new conversation
            return null;
          }
          return reply.ok ? reply.json() : null;
        })
        .then((data) => {
          if (!data || !Array.isArray(data.messages) || !data.messages.length) return;
          state.messages = [{ role: "bot", text: welcome.text, buttons: welcome.buttons }];
          for (const message of data.messages) {
            if (!message || !["user", "bot", "staff"].includes(message.role) || typeof message.text !== "string") continue;
            const buttons = (Array.isArray(message.buttons) ? message.buttons : [])
              .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
              .map((b) => ({ title: b.title, payload: b.payload }));
            const kept = { role: message.role, text: message.text, buttons, payload: null };
            if (message.role === "staff") kept.name = typeof message.name === "string" ? message.name : "";
            if (typeof message.time === "string") kept.time = message.time;
            state.messages.push(kept);
          }
          state.messages.forEach((message) => (message.id = String(nextId++)));
        })
        .catch(() => {
          /* the chat server cannot be reached: the conversation goes on without its log */
        })
        .then(saveState);
    }

    // --- Rendering

    /** Append ``text`` to ``parent`` as text nodes: http(s) links become anchors, ticket
     * references are highlighted, and references and phone numbers are kept on one line.
     * Never parsed as HTML. */
    function appendText(parent, text) {
      let done = 0;
      for (const match of text.matchAll(TOKENS)) {
        const isLink = /^https?:/.test(match[0]);
        const token = isLink ? match[0].replace(/[.,;:!?)\]]+$/, "") : match[0];
        parent.append(text.slice(done, match.index));
        const node = document.createElement(isLink ? "a" : REFERENCE.test(token) ? "strong" : "span");
        node.textContent = token;
        if (isLink) {
          node.href = token;
          node.rel = "noopener noreferrer";
        } else {
          node.className = REFERENCE.test(token) ? "reference chat-nowrap" : "chat-nowrap";
        }
        parent.append(node);
        done = match.index + token.length;
      }
      parent.append(text.slice(done));
    }

    /** "nl" or "en" by the function-word vote of bot/conversation/reply_language.py, or null when it does not
     * tell (one word, or as many of each language's words). */
    function votedLanguage(text) {
      const words = (text || "").toLowerCase().match(WORD) || [];
      if (words.length < 2) return null;
      const dutch = words.filter((word) => DUTCH_WORDS.has(word)).length;
      const english = words.filter((word) => ENGLISH_WORDS.has(word)).length;
      if (dutch === english) return null;
      return dutch > english ? "nl" : "en";
    }

    let lastLanguage = null; // the language of the message rendered last

    /** The language of a message's text: its vote, else the previous message's, else the page's. */
    function messageLanguage(message) {
      const language = votedLanguage(message.text) || lastLanguage || PAGE_LANGUAGE;
      lastLanguage = language;
      return language;
    }

    function clockTime(date) {
      return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    }

    function notSentMark(message) {
      const mark = document.createElement("p");
      mark.className = "chat-failed";
      mark.append(say("not_sent") + " ");
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "chat-retry";
      retry.textContent = say("retry");
      retry.addEventListener("click", () => resend(message));
      mark.append(retry);
      return mark;
    }

    function privacyNote() {
      const note = document.createElement("p");
      note.className = "chat-note";
      const link = document.createElement("a");
      link.href = privacyUrl;
      link.textContent = say("privacy_link");
      const [before, after] = say("privacy_note").split("{link}");
      note.append(before, link, after || "");
      return note;
    }

    function copyButton(reference) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "chat-copy";
      button.textContent = say("copy_reference", { reference });
      button.addEventListener("click", () => {
        navigator.clipboard.writeText(reference).then(
          () => setStatus(say("copied", { reference })),
          () => setStatus(say("copy_refused"))
        );
      });
      return button;
    }

    function renderMessage(message) {
      const item = document.createElement("div");
      item.className = "chat-message chat-message-" + message.role;
      item.dataset.id = message.id || "";
      if (message.role === "user" || message.role === "bot") item.lang = messageLanguage(message);
      const bubble = document.createElement("div");
      bubble.className = "chat-bubble";
      const body = document.createElement("p");
      body.className = "chat-text";
      const who = document.createElement("span");
      who.className = "visually-hidden";
      if (message.role === "staff") {
        const name = document.createElement("p");
        name.className = "chat-staff-name";
        name.textContent = say("staff_name", { name: message.name });
        bubble.append(name);
      }
      who.textContent = (message.role === "user" ? say("you") : message.role === "staff" ? message.name : say("assistant")) + ": ";
      body.append(who);
      appendText(body, message.text);
      bubble.append(body);
      if (message.time) {
        const time = document.createElement("time");
        time.className = "chat-time";
        time.dateTime = message.time;
        time.textContent = clockTime(new Date(message.time));
        bubble.append(time);
      }
      item.append(bubble);
      if (message.privacy) item.append(privacyNote());
      if (message.role === "bot" && navigator.clipboard) {
        for (const reference of message.text.match(/\bALM-\d+/g) || []) item.append(copyButton(reference));
      }
      if (message.failed) item.append(notSentMark(message));
      if (message.answer) item.append(answerVotes(message));
      log.append(item);
      return item;
    }

    function renderReplies(buttons) {
      // A labelled group of a list: each reply is read as an item of its own.
      const group = document.createElement("div");
      group.className = "chat-replies";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", say("suggested_replies"));
      const list = document.createElement("ul");
      for (const reply of buttons) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "chat-reply";
        button.textContent = reply.title;
        button.addEventListener("click", () => {
          if (reply.action === "live_chat") requestLiveChat(reply.title);
          else send(reply.title, reply.payload);
          input.focus();
        });
        item.append(button);
        list.append(item);
      }
      group.append(list);
      log.append(group);
    }

    function removeReplies() {
      for (const group of log.querySelectorAll(".chat-replies")) group.remove();
    }

    // Whether the log shows its end. While it does, it keeps showing it: when a message grows
    // below the fold (the vote buttons under an answer, the privacy note of the consent question)
    // and when the log itself shrinks (the contact row, the typing line, a status).
    let atEnd = true;

    function scrollToEnd() {
      log.scrollTop = log.scrollHeight;
      atEnd = true;
    }

    function keepEnd() {
      if (atEnd) scrollToEnd();
    }

    log.addEventListener("scroll", () => {
      atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 2;
    });
    new MutationObserver(keepEnd).observe(log, { childList: true, subtree: true });
    new ResizeObserver(keepEnd).observe(log);

    function addMessage(message) {
      message.id = String(nextId++);
      message.time = new Date().toISOString();
      state.messages.push(message);
      saveState();
      if (message.text) renderMessage(message);
      if (message.buttons && message.buttons.length) renderReplies(message.buttons);
      if (message.role === "rating") renderRating(message);
      if (message.role === "transcript") renderTranscriptOffer(message);
      scrollToEnd();
      return message;
    }

    /** Show the stored conversation; only replies after the person's last message keep buttons. */
    function renderHistory() {
      let lastUser = -1;
      state.messages.forEach((message, index) => {
        if (message.role === "user") lastUser = index;
      });
      state.messages.forEach((message, index) => {
        if (message.role === "rating") renderRating(message);
        else if (message.role === "transcript") renderTranscriptOffer(message);
        else if (message.text) renderMessage(message);
        if (index > lastUser && message.buttons && message.buttons.length) renderReplies(message.buttons);
      });
    }

    function clearConversation() {
      for (const node of log.querySelectorAll(".chat-message, .chat-replies, .chat-rating, .chat-transcript")) node.remove();
    }

    /** An empty conversation starts with a greeting and suggested topics. */
    function greetIfEmpty() {
      if (!state.messages.length) addMessage({ role: "bot", text: welcome.text, buttons: welcome.buttons });
    }

    let typingTimer = null;

    function showTyping(on) {
      typing.hidden = !on;
      window.clearTimeout(typingTimer);
      if (on) typingTimer = window.setTimeout(() => showTyping(false), ANSWER_TIMEOUT_MS);
      scrollToEnd();
    }

    let staffTypingTimer = null;

    /** "Anna is typing…" until ``on`` is false or TYPING_SHOWN_MS pass without another; its text is
     * set once, so a screen reader hears it once however often the colleague's typing is told. */
    function showStaffTyping(on) {
      window.clearTimeout(staffTypingTimer);
      if (!on) {
        staffTyping.replaceChildren();
        return;
      }
      if (!staffTyping.childNodes.length) {
        const name = state.live && state.live.staff;
        const dots = typing.querySelector(".chat-dots").cloneNode(true);
        staffTyping.append(dots, name ? say("staff_typing", { name }) : say("colleague_typing"));
      }
      staffTypingTimer = window.setTimeout(() => showStaffTyping(false), TYPING_SHOWN_MS);
    }

    // Whether the status says something about the connection, which a confirmed session ends
    // (other news, such as "copied", stays until the next).
    let connectionStatus = false;

    function setStatus(text, aboutConnection) {
      connectionStatus = Boolean(aboutConnection);
      if (status.textContent !== text) status.textContent = text;
    }

    // --- The input follows what the assistant asks for

    function applyInput(settings) {
      input.type = settings.type;
      input.setAttribute("inputmode", settings.inputmode);
      input.setAttribute("autocomplete", settings.autocomplete);
      input.placeholder = settings.placeholder;
    }

    function showExpectation() {
      const expects = state.expects;
      const contact = expects === "contact";
      kindGroup.hidden = !contact;
      const kind = state.contactKind === "phone" ? "phone" : "email";
      for (const button of kindGroup.querySelectorAll("button")) {
        button.setAttribute("aria-pressed", String(button.dataset.kind === kind));
      }
      if (contact) applyInput(INPUTS[kind]);
      else if (expects === "name") applyInput(INPUTS.name);
      else if (expects === "question") applyInput(INPUTS.deskQuestion);
      else if (expects === "consent" || expects === "choice") applyInput(INPUTS.choice);
      else applyInput(INPUTS.question);
    }

    function expectAnswer(expects) {
      state.expects = expects;
      saveState();
      showExpectation();
    }

    kindGroup.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-kind]");
      if (!button) return;
      state.contactKind = button.dataset.kind;
      saveState();
      showExpectation();
      input.focus();
    });

    /** The consent question links the privacy statement. */
    function linkPrivacyStatement() {
      const question = [...state.messages].reverse().find((message) => message.role === "bot");
      if (!question || question.privacy) return;
      question.privacy = true;
      saveState();
      const item = log.querySelector('.chat-message[data-id="' + question.id + '"]');
      if (item) item.querySelector(".chat-bubble").after(privacyNote());
    }

    // --- Replies while the panel is closed

    function showUnread() {
      const count = state.unread || 0;
      unread.hidden = count === 0;
      unread.replaceChildren();
      if (!count) return;
      const hiddenText = document.createElement("span");
      hiddenText.className = "visually-hidden";
      hiddenText.textContent = " " + say(count === 1 ? "new_reply" : "new_replies");
      unread.append(String(count), hiddenText);
    }

    function announce(text) {
      announcer.textContent = text;
    }

    // --- The connection to Rasa

    let socket = null;
    let ready = false; // true once Rasa confirmed our session on the current connection
    let offline = false; // true from a lost or refused connection until a session is confirmed
    const outbox = [];

    function flush() {
      while (ready && socket.connected && outbox.length) {
        // The server takes the message under the session it bound to this connection.
        socket.emit("user_uttered", { message: outbox.shift() });
      }
    }

    function receive(data) {
      if (!data || typeof data !== "object") return;
      if (typeof data.expects === "string") {
        if (data.expects === "consent") linkPrivacyStatement();
        expectAnswer(data.expects);
        return;
      }
      if (data.assistant === "off") {
        // Switched off by the desk (bot/rasa/turn.py): the notice stays until the next reply.
        panel.dataset.assistant = "off";
        if (typeof data.notice === "string") setStatus(data.notice);
        return;
      }
      if (data.answer && typeof data.answer === "object" && typeof data.answer.topic === "string") {
        markAnswer(data.answer);
        return;
      }
      const live = data.live_chat && typeof data.live_chat === "object" ? data.live_chat : null;
      if (live && typeof live.offer === "string") {
        addMessage({ role: "bot", text: "", buttons: [{ title: live.offer, payload: "", action: "live_chat" }] });
        return;
      }
      if (live && live.typing === true) {
        if (liveActive()) showStaffTyping(true);
        return;
      }
      const ended = live && typeof live.state === "string" && setLiveState(live.state, live.staff);
      const text = typeof data.text === "string" ? data.text : "";
      if (live && typeof live.transcript === "string") {
        transcriptAnswered(live.transcript, text ? addMessage({ role: "bot", text, buttons: [] }) : null);
        return;
      }
      if (typeof data.from_staff === "string" && text) {
        showTyping(false);
        showStaffTyping(false);
        addMessage({ role: "staff", name: data.from_staff, text, buttons: [] });
        noticeWhileClosed(say("staff_replied", { name: data.from_staff }));
        return;
      }
      const offered = data.quick_replies || data.buttons;
      const buttons = (Array.isArray(offered) ? offered : [])
        .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
        .map((b) => ({ title: b.title, payload: b.payload }));
      if (text || buttons.length) {
        showTyping(false);
        if (panel.dataset.assistant === "off") {
          delete panel.dataset.assistant;
          setStatus("");
        }
        addMessage({ role: "bot", text, buttons });
        noticeWhileClosed(say("assistant_replied"));
      }
      const rating = data.rating && typeof data.rating === "object" ? data.rating : null;
      if (rating && typeof rating.token === "string" && typeof rating.question === "string") {
        addMessage({ role: "rating", text: "", question: rating.question, token: rating.token, done: null });
      }
      if (ended) addMessage({ role: "transcript", text: "", done: false });
    }

    function noticeWhileClosed(news) {
      if (state.open) return;
      state.unread = (state.unread || 0) + 1;
      saveState();
      showUnread();
      announce(news);
    }

    // --- Live chat with a colleague

    function liveActive() {
      return Boolean(state.live && state.live.state === "active");
    }

    /** Note where the live chat stands; true when a chat with a colleague has just ended. */
    function setLiveState(liveState, staff) {
      if (!(liveState in LIVE_STATUS)) return false;
      const before = state.live && state.live.state;
      if (liveState !== "active") showStaffTyping(false);
      state.live = { state: liveState, staff: typeof staff === "string" ? staff : (state.live && state.live.staff) || "" };
      if (liveState === "waiting" || liveState === "active") expectAnswer(null); // the form has stopped
      saveState();
      showLiveState();
      return (liveState === "closed" || liveState === "returned") && (before === "active" || before === "waiting");
    }

    function showLiveState() {
      const live = state.live;
      if (!live) return;
      const said = LIVE_STATUS[live.state];
      setStatus(typeof said === "function" ? said(live.staff || say("a_colleague")) : said);
      panel.dataset.live = live.state;
    }

    let toldTyping = 0;

    /** The person types while a colleague has the chat: the colleague sees it (at most every
     * TYPING_EVERY_MS; the server binds it to this connection's conversation). */
    input.addEventListener("input", () => {
      if (!liveActive() || !ready || !socket.connected || !input.value.trim()) return;
      if (Date.now() - toldTyping < TYPING_EVERY_MS) return;
      toldTyping = Date.now();
      socket.emit("person_typing", { session_id: state.sessionId });
    });

    // --- A copy of the ended chat by e-mail

    let copyAsked = false; // a request is on its way (not kept in storage)

    /** "E-mail me a copy of this chat": an address field and a button, until a final answer. */
    function renderTranscriptOffer(message) {
      if (message.done) return;
      const box = Object.assign(document.createElement("form"), { className: "chat-transcript", noValidate: true });
      box.dataset.id = message.id;
      const set = document.createElement("fieldset");
      const legend = Object.assign(document.createElement("legend"), { textContent: say("copy_offer") });
      const fieldId = "transcript-email-" + message.id;
      const label = Object.assign(document.createElement("label"), { htmlFor: fieldId, textContent: say("copy_email") });
      const field = Object.assign(document.createElement("input"), { type: "email", id: fieldId, name: "email", autocomplete: "email", maxLength: 254 });
      const sendButton = Object.assign(document.createElement("button"), { type: "submit", className: "chat-send", textContent: say("copy_send") });
      const row = Object.assign(document.createElement("div"), { className: "chat-transcript-row" });
      row.append(field, sendButton);
      set.append(legend, label, row);
      box.append(set);
      box.addEventListener("submit", (event) => {
        event.preventDefault();
        if (copyAsked) return;
        if (offline || !ready) {
          setStatus(say("copy_no_connection"), true);
          return;
        }
        copyAsked = true;
        sendButton.setAttribute("aria-disabled", "true");
        socket.emit("live_chat_transcript", { email: field.value.trim() });
        // No answer (a request beyond the connection's limit gets none): the button takes another.
        window.setTimeout(() => {
          copyAsked = false;
          sendButton.removeAttribute("aria-disabled");
        }, ANSWER_TIMEOUT_MS);
      });
      log.append(box);
    }

    /** The server's answer to the copy asked for; ``said``: its message, already shown. */
    function transcriptAnswered(outcome, said) {
      copyAsked = false;
      const message = [...state.messages].reverse().find((m) => m.role === "transcript" && !m.done);
      if (!message) return;
      const box = log.querySelector('.chat-transcript[data-id="' + message.id + '"]');
      if (KEEP_COPY_FORM.has(outcome)) {
        if (!box) return;
        box.querySelector("button").removeAttribute("aria-disabled");
        const field = box.querySelector("input");
        field.setAttribute("aria-invalid", String(outcome === "invalid_address"));
        // The assistant's answer says what to correct or that it may be tried again.
        const text = said && log.querySelector('.chat-message[data-id="' + said.id + '"] .chat-text');
        if (text) {
          text.id = "transcript-said-" + said.id;
          field.setAttribute("aria-describedby", text.id);
        }
        return;
      }
      message.done = true;
      saveState();
      if (box) {
        const hadFocus = box.contains(shadow.activeElement);
        box.remove();
        if (hadFocus) input.focus();
      }
    }

    function requestLiveChat(title) {
      removeReplies();
      addMessage({ role: "user", text: title, buttons: [] });
      if (offline || !socket) {
        setStatus(say("live_no_connection"), true);
        return;
      }
      connect();
      socket.emit("live_chat_request", {});
      setLiveState("waiting");
    }

    /** The one question after a chat: 1 to 5 and an optional comment, sent to the site. */
    function renderRating(message) {
      const box = document.createElement("form");
      box.className = "chat-rating";
      box.dataset.id = message.id;
      if (message.done) {
        const thanks = document.createElement("p");
        thanks.className = "chat-note";
        thanks.textContent = message.done;
        box.append(thanks);
        log.append(box);
        return;
      }
      const set = document.createElement("fieldset");
      const legend = document.createElement("legend");
      legend.textContent = message.question;
      set.append(legend);
      const scale = document.createElement("div");
      scale.className = "chat-rating-scale";
      const labels = [say("rating_lowest"), "2", "3", "4", say("rating_highest")];
      labels.forEach((label, index) => {
        const id = "rating-" + message.id + "-" + (index + 1);
        const radio = Object.assign(document.createElement("input"), { type: "radio", name: "score", value: String(index + 1), id });
        const text = Object.assign(document.createElement("label"), { htmlFor: id, textContent: label });
        const option = document.createElement("span");
        option.append(radio, text);
        scale.append(option);
      });
      set.append(scale);
      const commentId = "rating-comment-" + message.id;
      const commentLabel = Object.assign(document.createElement("label"), { htmlFor: commentId, textContent: say("rating_comment") });
      const comment = Object.assign(document.createElement("textarea"), { id: commentId, name: "comment", rows: 2, maxLength: COMMENT_MAX });
      set.append(commentLabel, comment);
      const sendButton = Object.assign(document.createElement("button"), { type: "submit", className: "chat-send", textContent: say("rating_send") });
      const skip = Object.assign(document.createElement("button"), { type: "button", className: "chat-link-button", textContent: say("rating_skip") });
      const said = Object.assign(document.createElement("p"), { className: "chat-note" });
      said.setAttribute("role", "status");
      set.append(sendButton, skip, said);
      box.append(set);
      skip.addEventListener("click", () => finishRating(message, box, say("rating_skipped")));
      box.addEventListener("submit", async (event) => {
        event.preventDefault();
        const chosen = box.querySelector('input[name="score"]:checked');
        if (!chosen) {
          said.textContent = say("rating_choose");
          return;
        }
        said.textContent = say("sending");
        try {
          const reply = await fetch(feedbackUrl, {
            method: "POST",
            headers: { "Content-Type": "application/json", Accept: "application/json" },
            body: JSON.stringify({ token: message.token, score: Number(chosen.value), comment: comment.value.trim() }),
          });
          const data = await reply.json().catch(() => ({}));
          if (!reply.ok && reply.status !== 409) throw new Error(data.error || say("rating_not_sent"));
          finishRating(message, box, say("rating_thanks"));
        } catch (error) {
          said.textContent = error.message + " " + say("try_again");
        }
      });
      log.append(box);
    }

    function finishRating(message, box, text) {
      message.done = text;
      saveState();
      const thanks = Object.assign(document.createElement("p"), { className: "chat-note", textContent: text });
      box.replaceChildren(thanks);
      setStatus(text);
      input.focus();
    }

    // --- "Was this answer helpful?" under each answer

    const votesSending = new Set(); // ids of the messages whose vote is on its way (not kept in storage)

    /** The answer just shown (its last message with text) gets the vote buttons. */
    function markAnswer(answer) {
      const message = [...state.messages].reverse().find((m) => m.role === "bot" && m.text);
      if (!message || message.answer) return;
      message.answer = { topic: answer.topic };
      if (Number.isInteger(answer.desk_answer_id)) message.answer.desk_answer_id = answer.desk_answer_id;
      saveState();
      const item = log.querySelector('.chat-message[data-id="' + message.id + '"]');
      if (item) item.append(answerVotes(message));
    }

    function answerVotes(message) {
      const group = document.createElement("div");
      group.className = "chat-votes";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", say("votes_label"));
      // Words, not thumb emoji: not every system has a font that draws them.
      const buttons = [
        [true, say("vote_helpful")],
        [false, say("vote_not_helpful")],
      ].map(([helpful, label]) => {
        const button = Object.assign(document.createElement("button"), { type: "button", className: "chat-vote", textContent: label });
        button.dataset.helpful = String(helpful);
        button.addEventListener("click", () => voteOn(message, helpful, buttons));
        return button;
      });
      group.append(...buttons);
      showVote(message, buttons);
      return group;
    }

    /** Pressed shows the vote given; once given (or while it is sent) the buttons take no other. */
    function showVote(message, buttons) {
      for (const button of buttons) {
        const chosen = typeof message.vote === "boolean" && String(message.vote) === button.dataset.helpful;
        button.setAttribute("aria-pressed", String(chosen));
        // aria-disabled, not disabled: the focus stays where the person is.
        if (typeof message.vote === "boolean" || votesSending.has(message.id)) button.setAttribute("aria-disabled", "true");
        else button.removeAttribute("aria-disabled");
      }
    }

    async function voteOn(message, helpful, buttons) {
      if (typeof message.vote === "boolean" || votesSending.has(message.id)) return;
      votesSending.add(message.id);
      showVote(message, buttons);
      try {
        const reply = await fetch(answerFeedbackUrl, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ ...message.answer, helpful }),
        });
        if (!reply.ok) throw new Error("not saved");
        message.vote = helpful;
        setStatus(say("vote_thanks"));
      } catch (error) {
        setStatus(say("vote_not_sent"));
      }
      votesSending.delete(message.id);
      saveState();
      showVote(message, buttons);
    }

    /** Tell the server the page's language when it is not the one last told (a new session or a
     * switch), so that the assistant answers in it. Only on a confirmed session. */
    function tellLanguage() {
      // A conversation never told is in the server's default, English (bot/conversation/reply_language.py).
      if (!ready || (state.toldLanguage || "en") === PAGE_LANGUAGE) return;
      socket.emit("set_language", { language: PAGE_LANGUAGE });
      state.toldLanguage = PAGE_LANGUAGE;
      saveState();
    }

    /** Reload the page with the widget in ``chosen``; the conversation stays (sessionStorage). */
    function switchLanguage(chosen) {
      const parameter = options.languageParameter;
      if (parameter) {
        const url = new URL(window.location.href);
        url.searchParams.set(parameter, chosen);
        window.location.assign(url.href);
        return;
      }
      state.language = chosen; // widget.js reads it before the snippet's data-language
      saveState();
      window.location.reload();
    }

    function connect() {
      if (socket) return;
      setStatus(say("connecting"), true);
      const path = rasaUrl.pathname.replace(/\/+$/, "") + "/socket.io";
      // A random key of this tab's chat in every request of the connection: the proxy in front of
      // several Rasa servers routes on it (deploy/haproxy.cfg, balance url_param session_id), as
      // the page of another site sends the proxy's cookie along with none of them.
      if (!state.route) {
        state.route = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
        saveState();
      }
      const query = { session_id: state.route };
      socket = io(rasaUrl.origin, { path, query, reconnectionDelayMax: 5000 });
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
        offline = false;
        tellLanguage();
        const unsent = state.messages.some((message) => message.failed);
        if (connectionStatus) {
          setStatus(unsent ? say("connected_retry") : "");
        }
        flush();
      });
      socket.on("bot_uttered", receive);
      socket.on("disconnect", () => {
        ready = false;
        offline = true;
        copyAsked = false;
        showTyping(false);
        showStaffTyping(false);
        setStatus(say("connection_lost"), true);
      });
      socket.on("connect_error", () => {
        ready = false;
        offline = true;
        showTyping(false);
        // Not active: the server refused this page; active: it will keep trying.
        setStatus(
          socket.active ? say("unreachable") : say("refused"),
          true
        );
      });
    }

    /** Send ``payload`` (or the text) now, or mark the message as not sent while offline. */
    function deliver(message) {
      if (offline) {
        message.failed = true;
        saveState();
        setStatus(say("offline_not_sent"), true);
        return false;
      }
      outbox.push(message.payload || message.text);
      if (!liveActive()) showTyping(true); // a colleague answers when they answer
      connect();
      flush();
      return true;
    }

    function send(text, payload) {
      const shown = text.trim();
      if (!shown) return;
      removeReplies();
      expectAnswer(null); // an answer was given: back to an ordinary question
      const message = addMessage({ role: "user", text: shown, buttons: [], payload: payload || null });
      if (!deliver(message)) {
        log.querySelector('.chat-message[data-id="' + message.id + '"]').append(notSentMark(message));
        scrollToEnd();
      }
    }

    function resend(message) {
      const item = log.querySelector('.chat-message[data-id="' + message.id + '"]');
      const mark = item && item.querySelector(".chat-failed");
      message.failed = false;
      if (!deliver(message)) {
        setStatus(say("still_offline"), true);
        return;
      }
      saveState();
      if (mark) mark.remove();
      setStatus(say("sending_again"));
      input.focus();
    }

    // --- Opening, closing, options and typing

    function open(moveFocus) {
      panel.hidden = false;
      launcher.hidden = true;
      launcher.setAttribute("aria-expanded", "true");
      state.open = true;
      state.unread = 0;
      announce("");
      showUnread();
      greetIfEmpty();
      saveState();
      connect();
      scrollToEnd();
      if (moveFocus) input.focus();
    }

    function close() {
      showMenu(false);
      confirmBox.hidden = true;
      panel.hidden = true;
      launcher.hidden = false;
      launcher.setAttribute("aria-expanded", "false");
      state.open = false;
      saveState();
      launcher.focus();
    }

    function showMenu(on) {
      menu.hidden = !on;
      optionsButton.setAttribute("aria-expanded", String(on));
    }

    function startNewConversation() {
      confirmBox.hidden = true;
      clearConversation();
      state.messages = [];
      state.sessionId = null;
      state.expects = null;
      state.live = null;
      state.toldLanguage = null; // the new session is told the page's language
      delete panel.dataset.live;
      outbox.length = 0;
      copyAsked = false;
      showTyping(false);
      showStaffTyping(false);
      showExpectation();
      // Ask the server for a new session on this connection (or on the next one).
      ready = false;
      if (socket && socket.connected) socket.emit("session_request", { session_id: null });
      greetIfEmpty();
      setStatus(say("new_conversation"));
      input.focus();
    }

    /** The conversation as a text file, for the person to keep. */
    function saveCopy() {
      const lines = [say("file_header"), ""];
      for (const message of state.messages) {
        if (!message.text) continue;
        const when = message.time ? new Date(message.time).toLocaleString() + " " : "";
        const who = message.role === "user" ? say("you") : message.role === "staff" ? message.name : say("assistant");
        lines.push(when + who + ": " + message.text + (message.failed ? " " + say("not_sent_suffix") : ""));
      }
      const file = new Blob([lines.join("\n") + "\n"], { type: "text/plain;charset=utf-8" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(file);
      link.download = "almere-conversation-" + new Date().toISOString().slice(0, 10) + ".txt";
      root.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(link.href), 1000);
      showMenu(false);
      setStatus(say("file_saved"));
      optionsButton.focus();
    }

    closeButton.addEventListener("click", close);
    optionsButton.addEventListener("click", () => showMenu(menu.hidden));
    find("chat-new").addEventListener("click", () => {
      showMenu(false);
      confirmBox.hidden = false;
      find("chat-confirm-yes").focus();
    });
    find("chat-save").addEventListener("click", saveCopy);
    find("chat-language").addEventListener("click", (event) => switchLanguage(event.currentTarget.dataset.language));
    find("chat-confirm-yes").addEventListener("click", startNewConversation);
    find("chat-confirm-no").addEventListener("click", () => {
      confirmBox.hidden = true;
      input.focus();
    });
    // Escape closes the innermost thing open: the options, the confirmation, then the panel.
    panel.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      if (!menu.hidden) {
        showMenu(false);
        optionsButton.focus();
      } else if (!confirmBox.hidden) {
        confirmBox.hidden = true;
        input.focus();
      } else {
        close();
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value;
      input.value = "";
      send(text);
    });

    let started = false;
    let openWhenStarted = false;

    function start() {
      started = true;
      renderHistory();
      showExpectation();
      showLiveState();
      showUnread();
      if (state.open || openWhenStarted) open(openWhenStarted);
    }

    const continuing = continueFromCookie();
    if (continuing) continuing.then(start);
    else start();
    return {
      open: () => (started ? open(true) : (openWhenStarted = true)),
      close: () => {
        openWhenStarted = false;
        if (state.open) close();
      },
    };
  }
})();
