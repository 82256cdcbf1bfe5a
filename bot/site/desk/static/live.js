/* The desk's live chats: keeps the list of waiting chats and an open chat up to date (every
 * second or two), and sends a colleague's messages without reloading the page. Everything the
 * person wrote is inserted as text, never as HTML. Without JavaScript the pages still work:
 * reload to update, and the message form posts normally. */
(function () {
  "use strict";

  const LIST_EVERY_MS = 2000;
  const CHAT_EVERY_MS = 1000;

  function clockTime(iso) {
    const date = new Date(iso);
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function waited(seconds) {
    const minutes = Math.floor(seconds / 60);
    if (minutes < 1) return "less than 1 min";
    if (minutes < 60) return minutes + " min";
    return Math.floor(minutes / 60) + " h " + (minutes % 60) + " min";
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
          box.replaceChildren(Object.assign(document.createElement("p"), { textContent: "Nobody is waiting for a chat." }));
        } else {
          if (!table) {
            box.innerHTML = "";
            const t = document.createElement("table");
            const caption = t.createCaption();
            caption.textContent = "Longest waiting first.";
            const head = t.createTHead().insertRow();
            for (const name of ["Reference", "State", "Desk", "Waiting", "Colleague"]) {
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
              cell(row, chat.state);
              cell(row, chat.desk);
              cell(row, waited(chat.waited_seconds));
              cell(row, chat.assignee || "—");
              return row;
            })
          );
        }
        if (updated) updated.textContent = "Updated at " + clockTime(new Date().toISOString()) + ".";
      } catch (error) {
        if (updated) updated.textContent = "Could not update the list; trying again.";
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
    who.textContent = message.role === "user" ? "Person" : message.role === "bot" ? "Assistant" : message.author + " (staff)";
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
    let shown = list.children.length;
    let state = stateLabel.textContent.trim();
    let mine = box.dataset.mine === "yes";

    async function refresh() {
      try {
        const reply = await fetch(box.dataset.source, { headers: { Accept: "application/json" } });
        if (!reply.ok) return;
        const data = await reply.json();
        for (const message of data.transcript.slice(shown)) list.appendChild(messageItem(message));
        if (data.transcript.length > shown) list.scrollTop = list.scrollHeight;
        shown = Math.max(shown, data.transcript.length);
        const typing = form && form.querySelector("textarea").value.trim();
        if ((data.chat.state !== state || data.mine !== mine) && !typing) window.location.reload();
        state = data.chat.state;
        mine = data.mine;
      } catch (error) {
        /* the next refresh tries again */
      }
    }

    if (form) {
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const field = form.querySelector("textarea");
        const text = field.value.trim();
        if (!text) return;
        status.textContent = "Sending…";
        try {
          const reply = await fetch(box.dataset.send, {
            method: "POST",
            headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": box.dataset.csrf },
            body: JSON.stringify({ text }),
          });
          const data = await reply.json().catch(() => ({}));
          if (!reply.ok) throw new Error(data.error || "Your message was NOT delivered.");
          field.value = "";
          status.textContent = "Sent.";
          refresh();
        } catch (error) {
          status.textContent = error.message || "Your message was NOT delivered.";
        }
        field.focus();
      });
    }
    setInterval(refresh, CHAT_EVERY_MS);
  }

  const listBox = document.getElementById("chats");
  if (listBox) watchList(listBox);
  const chatBox = document.getElementById("live-chat");
  if (chatBox) watchChat(chatBox);
})();
