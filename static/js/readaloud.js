// 朗读: reads the article aloud in the browser's own Mandarin voice (Web Speech API, zh-CN; no
// outside service), paragraph by paragraph, marking the paragraph being read. Progressive
// enhancement: the controls are `hidden` in the page, so without JavaScript there is no button;
// where the browser has no Mandarin voice, a short note shows instead.
//
// Pause stops the voice and 继续 reads the current paragraph again from its start: browsers
// differ in speechSynthesis.pause() (on Android it ends the speech), cancel() works everywhere.
(function () {
  var box = document.querySelector("[data-read-aloud]");
  var note = document.querySelector("[data-read-aloud-note]");
  if (!box || !note) return;
  var synth = window.speechSynthesis;
  if (!synth || !window.SpeechSynthesisUtterance) {
    note.hidden = false;
    return;
  }
  var MANDARIN = ["zh-cn", "zh-hans-cn", "zh-hans", "cmn-cn", "cmn-hans-cn"];
  var toggle = box.querySelector("[data-action=toggle]");
  var stopButton = box.querySelector("[data-action=stop]");
  var speeds = box.querySelectorAll("[data-rate]");
  var status = box.querySelector("[data-read-aloud-status]");
  var parts = document.querySelectorAll(box.getAttribute("data-read-aloud"));
  var voice = null;
  var state = "idle"; // idle | reading | paused
  var index = -1;
  var session = 0; // a cancelled utterance's late events belong to an old session: ignored
  var rate = 1;

  function mandarinVoice() {
    var voices = synth.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      var lang = String(voices[i].lang || "").replace(/_/g, "-").toLowerCase();
      if (MANDARIN.indexOf(lang) !== -1) return voices[i];
    }
    return null;
  }

  function show(text) {
    toggle.textContent = state === "reading" ? "暂停朗读" : state === "paused" ? "继续朗读" : "朗读全文";
    stopButton.hidden = state === "idle";
    if (text !== undefined) status.textContent = text;
  }

  function unmark() {
    var current = document.querySelector(".is-reading");
    if (current) current.classList.remove("is-reading");
  }

  function speak(i) {
    unmark();
    if (i >= parts.length) {
      state = "idle";
      index = -1;
      show("读完了。");
      return;
    }
    index = i;
    var el = parts[i];
    el.classList.add("is-reading");
    var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    el.scrollIntoView({ block: "nearest", behavior: still ? "auto" : "smooth" });
    var utterance = new SpeechSynthesisUtterance(el.textContent.replace(/\s+/g, " ").trim());
    utterance.lang = "zh-CN";
    utterance.voice = voice;
    utterance.rate = rate;
    var mine = ++session;
    utterance.onend = function () {
      if (mine === session && state === "reading") speak(i + 1);
    };
    utterance.onerror = function (event) {
      if (mine !== session || event.error === "interrupted" || event.error === "canceled") return;
      stop("朗读出了问题，已经停止。");
    };
    synth.speak(utterance);
  }

  function silence() {
    session += 1;
    synth.cancel();
  }

  function stop(text) {
    silence();
    state = "idle";
    index = -1;
    unmark();
    show(text);
  }

  toggle.addEventListener("click", function () {
    if (state === "reading") {
      silence();
      state = "paused";
      show("已暂停，按“继续朗读”从这一段开头接着读。");
    } else {
      var from = state === "paused" ? index : 0;
      silence();
      state = "reading";
      show("正在朗读。");
      speak(from);
    }
  });
  stopButton.addEventListener("click", function () { stop("已停止。"); });
  Array.prototype.forEach.call(speeds, function (button) {
    button.addEventListener("click", function () {
      rate = parseFloat(button.getAttribute("data-rate"));
      Array.prototype.forEach.call(speeds, function (other) {
        other.setAttribute("aria-pressed", String(other === button));
      });
      if (state === "reading") {
        silence();
        speak(index); // this paragraph again, at the new speed
      }
    });
  });
  window.addEventListener("pagehide", function () { if (state !== "idle") silence(); });

  function ready() {
    note.hidden = true;
    box.hidden = false;
  }
  voice = mandarinVoice();
  if (voice) {
    ready();
    return;
  }
  // Chromium and Safari list their voices a moment after the page loads.
  synth.addEventListener("voiceschanged", function () {
    voice = voice || mandarinVoice();
    if (voice) ready();
  });
  setTimeout(function () { if (!voice) note.hidden = false; }, 1500);
})();
