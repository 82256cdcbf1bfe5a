/* The desk's live chats: keeps the list of waiting chats and an open chat up to date (every
 * second or two), sends a colleague's messages without reloading the page (Enter sends,
 * Shift+Enter adds a line), and shows typing both ways. Everything the
 * person wrote is inserted as text, never as HTML. Without JavaScript the pages still work:
 * reload to update, and the message form posts normally. Every text this script shows comes from
 * its box's data-texts (bot/site/desk/live_texts.py), in the colleague's desk language. */
(function () {
  "use strict";

  const LIST_EVERY_MS = 2000;
  const CHAT_EVERY_MS = 1000;
  const TYPING_EVERY_MS = 2000;

  let texts = {};

  /* A text with its {placeholders} filled in. */
  function say(key, values) {
    return Object.entries(values || {}).reduce((result, [name, value]) => result.replaceAll("{" + name + "}", value), texts[key]);
  }

  function clockTime(iso) {
    const date = new Date(iso);
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function waited(seconds) {
    const minutes = Math.floor(seconds / 60);
    if (minutes < 1) return say("less_than_a_minute");
    if (minutes < 60) return say("minutes", { minutes: String(minutes) });
    return say("hours_minutes", { hours: String(Math.floor(minutes / 60)), minutes: String(minutes % 60) });
  }

  function cell(row, text, link) {
    const td = document.createElement("td");
    if (link) {
      const a = document.createElement("a");
      a.href = link;
      a.className = "reference";
      a.textContent = text;
      td.appendChild(a);
    } else {
      td.textContent = text;
    }
    row.appendChild(td);
  }

  function watchList(box) {
    const updated = document.getElementById("chats-updated");
    async function refresh() {
      try {
        const reply = await fetch(box.dataset.source, { headers: { Accept: "application/json" } });
        if (!reply.ok) throw new Error(String(reply.status));
        const data = await reply.json();
        let table = box.querySelector("tbody");
        if (!data.chats.length) {
          box.replaceChildren(Object.assign(document.createElement("p"), { textContent: say("nobody_waiting") }));
        } else {
          if (!table) {
            box.innerHTML = "";
            const t = document.createElement("table");
            const caption = t.createCaption();
            caption.textContent = say("caption");
            const head = t.createTHead().insertRow();
            for (const name of texts.columns) {
              const th = document.createElement("th");
              th.scope = "col";
              th.textContent = name;
              head.appendChild(th);
            }
            table = t.createTBody();
            box.appendChild(t);
          }
          table.replaceChildren(
            ...data.chats.map((chat) => {
              const row = document.createElement("tr");
              cell(row, chat.reference, chat.url);
              cell(row, texts.states[chat.state] || chat.state);
              cell(row, texts.desks[chat.desk] || chat.desk);
              cell(row, waited(chat.waited_seconds));
              cell(row, chat.assignee || "—");
              return row;
            })
          );
        }
        if (updated) updated.textContent = say("updated_at", { time: clockTime(new Date().toISOString()) });
      } catch (error) {
        if (updated) updated.textContent = say("not_updated");
      }
    }
    setInterval(refresh, LIST_EVERY_MS);
  }

  function messageItem(message) {
    const item = document.createElement("li");
    item.className = "message message-" + message.role;
    const meta = document.createElement("p");
    meta.className = "meta";
    const who = document.createElement("strong");
    who.textContent =
      message.role === "user" ? say("person") : message.role === "bot" ? say("assistant") : say("staff", { name: message.author });
    const time = document.createElement("time");
    time.dateTime = message.timestamp;
    time.textContent = message.time;
    meta.append(who, ", ", time);
    const text = document.createElement("p");
    text.className = "text";
    text.textContent = message.text;
    item.append(meta, text);
    return item;
  }

  function watchChat(box) {
    const list = document.getElementById("transcript");
    const stateLabel = document.getElementById("chat-state");
    const form = document.getElementById("message");
    const status = document.getElementById("send-status");
    const personTyping = document.getElementById("person-typing");
    let toldTyping = 0;
    let shown = list.children.length;
    let state = stateLabel.dataset.state;
    let mine = box.dataset.mine === "yes";

    async function refresh() {
      try {
        const reply = await fetch(box.dataset.source, { headers: { Accept: "application/json" } });
        if (!reply.ok) return;
        const data = await reply.json();
        for (const message of data.transcript.slice(shown)) list.appendChild(messageItem(message));
        if (data.transcript.length > shown) list.scrollTop = list.scrollHeight;
        shown = Math.max(shown, data.transcript.length);
        const typingNow = data.person_typing ? say("person_typing") : "";
        if (personTyping.textContent !== typingNow) personTyping.textContent = typingNow;
        const typing = form && form.querySelector("textarea").value.trim();
        if ((data.chat.state !== state || data.mine !== mine) && !typing) window.location.reload();
        state = data.chat.state;
        mine = data.mine;
      } catch (error) {
        /* the next refresh tries again */
      }
    }

    /* The colleague is typing: the person sees it (told at most every TYPING_EVERY_MS). */
    function tellTyping() {
      if (Date.now() - toldTyping < TYPING_EVERY_MS) return;
      toldTyping = Date.now();
      fetch(box.dataset.typing, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": box.dataset.csrf },
        body: "{}",
      }).catch(() => {});
    }

    if (form) {
      const field = form.querySelector("textarea");
      document.getElementById("message-text-hint").hidden = false;
      /* Enter sends, as in every chat tool; Shift+Enter (or an input method composing) adds a line. */
      field.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
        event.preventDefault();
        if (field.value.trim()) form.requestSubmit();
      });
      field.addEventListener("input", () => {
        if (field.value.trim()) tellTyping();
      });
      let sending = false;
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const text = field.value.trim();
        if (!text || sending) return;
        sending = true;
        status.textContent = say("sending");
        try {
          const reply = await fetch(box.dataset.send, {
            method: "POST",
            headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": box.dataset.csrf },
            body: JSON.stringify({ text }),
          });
          const data = await reply.json().catch(() => ({}));
          if (!reply.ok) throw new Error(data.error || say("not_delivered"));
          field.value = "";
          status.textContent = say("sent");
          refresh();
        } catch (error) {
          status.textContent = error.message || say("not_delivered");
        }
        sending = false;
        field.focus();
      });
    }
    setInterval(refresh, CHAT_EVERY_MS);
  }

  const listBox = document.getElementById("chats");
  const chatBox = document.getElementById("live-chat");
  const box = listBox || chatBox;
  if (box) texts = JSON.parse(box.dataset.texts);
  if (listBox) watchList(listBox);
  if (chatBox) watchChat(chatBox);
})();
