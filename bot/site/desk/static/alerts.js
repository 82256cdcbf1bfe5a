/* Alerts for people waiting for a live chat, on every desk page: the count beside "Live chats",
 * the tab's title, a short tone and, if the colleague allowed them, a desktop notification.
 * Asks the desk every second (#alerts' data-source). The tone is generated (WebAudio): no file, no
 * inline script. Each colleague turns the tone off or on in this browser ("almere-desk-sound" in
 * localStorage). A tab sounds once per newly waiting chat and reminds every REMIND_MS while someone
 * still waits; what it already sounded for is kept per tab (sessionStorage) across the desk's pages.
 * Texts come from #alerts' data-texts (bot/site/desk/live_texts.py), in the desk's language. */
(function () {
  "use strict";

  const EVERY_MS = 1000;
  const REMIND_MS = 30000;
  const SOUND_KEY = "almere-desk-sound";
  const HEARD_KEY = "almere-desk-alerted";

  const box = document.getElementById("alerts");
  if (!box) return;
  const texts = JSON.parse(box.dataset.texts);
  const badge = document.getElementById("waiting-count");
  const said = document.getElementById("alerts-said");
  const sound = document.getElementById("alert-sound");
  const notifications = document.getElementById("alert-notifications");
  const title = document.title;
  let audio = null;
  let shown = 0;

  function say(key, count) {
    return texts[key].replaceAll("{count}", String(count));
  }

  function storage(kind) {
    try {
      return window[kind];
    } catch (error) {
      return null; /* storage refused by the browser's settings */
    }
  }

  function heard() {
    const session = storage("sessionStorage");
    try {
      return JSON.parse((session && session.getItem(HEARD_KEY)) || "{}");
    } catch (error) {
      return {};
    }
  }

  function remember(state) {
    const session = storage("sessionStorage");
    if (session) session.setItem(HEARD_KEY, JSON.stringify(state));
  }

  /* Browsers start audio only after the page was used: wake it on the first click or key. */
  function wakeAudio() {
    if (!audio && window.AudioContext) audio = new AudioContext();
    if (audio && audio.state === "suspended") audio.resume();
  }

  function tone() {
    wakeAudio();
    if (!audio) return;
    const start = audio.currentTime;
    [0, 0.22].forEach((offset, index) => {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = index ? 1046.5 : 784;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.2);
    });
  }

  function notify(count) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const note = new Notification(texts.notification_title, {
      body: say(count === 1 ? "announce_one" : "announce_many", count),
      tag: "almere-desk-waiting",
    });
    note.onclick = () => {
      window.focus();
      window.location.href = document.getElementById("live-link").href;
    };
  }

  function show(count) {
    badge.hidden = count === 0;
    badge.textContent = count ? say("badge", count) : "";
    document.title = count ? `(${count}) ${texts[count === 1 ? "title_one" : "title_many"]} – ${title}` : title;
    if (count > shown) said.textContent = say(count === 1 ? "announce_one" : "announce_many", count);
    shown = count;
  }

  function alertFor(references) {
    const state = heard();
    const known = new Set(state.references || []);
    const fresh = references.some((reference) => !known.has(reference));
    const due = references.length && Date.now() - (state.at || 0) >= REMIND_MS;
    if (fresh || due) {
      if (sound.checked) tone();
      if (fresh) notify(references.length);
      remember({ references, at: Date.now() });
    } else if (!references.length && known.size) {
      remember({ references: [], at: 0 });
    }
  }

  async function poll() {
    try {
      const reply = await fetch(box.dataset.source, { headers: { Accept: "application/json" } });
      if (reply.ok) {
        const data = await reply.json();
        show(data.waiting);
        alertFor(data.references);
      }
    } catch (error) {
      /* the next poll tries again */
    }
    window.setTimeout(poll, EVERY_MS);
  }

  const local = storage("localStorage");
  sound.checked = !local || local.getItem(SOUND_KEY) !== "off";
  sound.addEventListener("change", () => {
    if (local) local.setItem(SOUND_KEY, sound.checked ? "on" : "off");
    if (sound.checked) wakeAudio();
  });
  if ("Notification" in window && Notification.permission === "default") {
    notifications.hidden = false;
    notifications.addEventListener("click", async () => {
      await Notification.requestPermission();
      notifications.hidden = Notification.permission === "default";
    });
  }
  document.addEventListener("click", wakeAudio, { once: true });
  document.addEventListener("keydown", wakeAudio, { once: true });
  box.hidden = false;
  poll();
})();
