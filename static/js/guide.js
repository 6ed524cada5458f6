// 十字线 (reading guide), for readers who chose it (html.guide-on, news/reading.py; the page
// loads this file only then). Two thin lines cross at the mouse pointer and follow it, so the
// eye keeps its line; with the keyboard they move to the focused element. Without this
// script the stylesheet underlines the paragraph under the pointer instead.
(function () {
  var root = document.documentElement;
  if (!root.classList.contains("guide-on")) return;
  root.classList.add("guide-js");

  function line(name) {
    var el = document.createElement("div");
    el.className = "guide-line " + name;
    el.setAttribute("aria-hidden", "true");
    document.body.appendChild(el);
    return el;
  }
  var across = line("guide-across");
  var down = line("guide-down");

  function show(x, y) {
    // Style properties set from a script file are allowed by the Content-Security-Policy.
    across.style.transform = "translateY(" + Math.round(y) + "px)";
    down.style.transform = "translateX(" + Math.round(x) + "px)";
    root.classList.add("guide-shown");
  }

  document.addEventListener("pointermove", function (event) {
    if (event.pointerType === "mouse") show(event.clientX, event.clientY);
  }, { passive: true });
  root.addEventListener("mouseleave", function () { root.classList.remove("guide-shown"); });
  document.addEventListener("focusin", function (event) {
    var box = event.target.getBoundingClientRect();
    show(box.left + box.width / 2, box.bottom);
  });
})();
