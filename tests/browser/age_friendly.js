// The 适老化 measurements of a loaded page, taken from the browser's computed styles and
// geometry. tests/browser/test_age_friendly.py installs this file with add_init_script, so every
// page has `window.__ageFriendly`, and calls, per page load:
//
//   __ageFriendly.audit({minText, minBody, minTarget})   sizes, spacing, contrast, targets,
//                                                          sideways scrolling, colour alone
//   __ageFriendly.watchFocus()  then Tab × __ageFriendly.tabbable().length, then
//   __ageFriendly.focusProblems()                         every focus stop seen and visible
//
// It reports findings (short sentences naming the element); the limits come from the test.
window.__ageFriendly = (() => {
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
    const cls =
      el.className && typeof el.className === "string"
        ? "." + el.className.trim().split(/\s+/).join(".")
        : "";
    return `<${el.tagName.toLowerCase()}${cls}>${text.replace(/\s+/g, " ").slice(0, 24)}`;
  };
  const parseColour = (value) => {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return [r, g, b, a === undefined ? 1 : a];
  };
  const over = (top, bottom) => {
    // `top` (with its alpha) composited over an opaque `bottom`
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
  };
  const luminance = ([r, g, b]) => {
    const lin = (c) => {
      c /= 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  // The colour painted behind an element: its own and its ancestors' backgrounds, composited.
  const backdrop = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") return null; // over an image: not measurable so
      const colour = parseColour(style.backgroundColor);
      if (colour && colour[3] > 0) {
        layers.push(colour);
        if (colour[3] >= 1) break;
      }
    }
    let result = [255, 255, 255, 1]; // the canvas, should nothing be opaque
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  // Hidden from sight but kept for screen readers (.visually-hidden): a clipped 1 px box.
  const visuallyHidden = (el) => {
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      const box = node.getBoundingClientRect();
      if (getComputedStyle(node).overflow === "hidden" && box.width <= 1 && box.height <= 1) {
        return true;
      }
    }
    return false;
  };
  const rendered = (el) =>
    el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) && !visuallyHidden(el);
  const px = (value) => parseFloat(value);
  const SIDES = ["Top", "Right", "Bottom", "Left"];

  function audit(limits) {
    const problems = [];
    const counts = { textRuns: 0, targets: 0, paragraphPairs: 0, states: 0 };
    const viewportWidth = document.documentElement.clientWidth;

    // --- every text run: size, line height, contrast ------------------------------------------
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.data.trim() || !el || el.closest("script, style, noscript, template")) continue;
      if (seen.has(el) || !rendered(el)) continue;
      seen.add(el);
      counts.textRuns += 1;
      const style = getComputedStyle(el);
      const size = px(style.fontSize);
      const weight = Number(style.fontWeight);
      if (size < limits.minText - 0.01) {
        problems.push(`text ${size}px < ${limits.minText}px: ${describe(el)}`);
      }
      if (style.lineHeight === "normal") {
        problems.push(`line height "normal" (unspecified): ${describe(el)}`);
      } else if (px(style.lineHeight) / size < 1.3 - 0.001) {
        const ratio = (px(style.lineHeight) / size).toFixed(2);
        problems.push(`line height ${ratio}× < 1.3×: ${describe(el)}`);
      }
      const back = backdrop(el);
      const fore = parseColour(style.color);
      if (!back || !fore) {
        problems.push(`contrast not measurable: ${describe(el)}`);
        continue;
      }
      const ratio = contrast(over(fore, back), back);
      const large = size >= 24 || (size >= 18.66 && weight >= 700);
      const needed = large ? 3 : 4.5;
      if (ratio < needed) {
        problems.push(`contrast ${ratio.toFixed(2)}:1 < ${needed}:1: ${describe(el)}`);
      }
    }
    // Placeholders are text too.
    for (const input of document.querySelectorAll("input[placeholder]")) {
      if (!rendered(input)) continue;
      const back = backdrop(input);
      const fore = parseColour(getComputedStyle(input, "::placeholder").color);
      const ratio = contrast(over(fore, back), back);
      if (ratio < 4.5) {
        problems.push(`placeholder contrast ${ratio.toFixed(2)}:1: ${describe(input)}`);
      }
    }

    // --- body text size -------------------------------------------------------------------------
    const bodySize = px(getComputedStyle(document.body).fontSize);
    if (bodySize < limits.minBody - 0.01) {
      problems.push(`body text ${bodySize}px < ${limits.minBody}px`);
    }
    for (const p of document.querySelectorAll(".story-body p")) {
      const size = px(getComputedStyle(p).fontSize);
      if (size < limits.minBody - 0.01) {
        problems.push(`article text ${size}px < ${limits.minBody}px: ${describe(p)}`);
      }
    }

    // --- paragraph spacing: the gap between two paragraphs ≥ 1.3 × their line height ----------
    for (const p of document.querySelectorAll("p")) {
      const next = p.nextElementSibling;
      if (!next || next.tagName !== "P") continue;
      if (!p.innerText.trim() || !next.innerText.trim() || !rendered(p) || !rendered(next)) continue;
      counts.paragraphPairs += 1;
      const gap = next.getBoundingClientRect().top - p.getBoundingClientRect().bottom;
      const lineHeight = Math.max(
        px(getComputedStyle(p).lineHeight),
        px(getComputedStyle(next).lineHeight)
      );
      if (gap < 1.3 * lineHeight - 0.5) {
        const pair = `${describe(p)} / ${describe(next)}`;
        problems.push(`paragraph gap ${gap.toFixed(1)}px < 1.3 × ${lineHeight.toFixed(1)}px: ${pair}`);
      }
    }

    // --- tap targets: every link and control ---------------------------------------------------
    const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary";
    for (const el of document.querySelectorAll(controls)) {
      if (!el.checkVisibility({ checkVisibilityCSS: true })) continue;
      counts.targets += 1;
      const box = el.getBoundingClientRect();
      if (box.width < limits.minTarget - 0.5 || box.height < limits.minTarget - 0.5) {
        const size = `${box.width.toFixed(0)}×${box.height.toFixed(0)}`;
        const least = `${limits.minTarget}×${limits.minTarget}`;
        problems.push(`target ${size} < ${least}: ${describe(el)}`);
      }
    }

    // --- no sideways scrolling ---------------------------------------------------------------
    const overflow = document.documentElement.scrollWidth - viewportWidth;
    if (overflow > 0) {
      const wide = [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > viewportWidth + 0.5 && rendered(el))
        .slice(0, 3)
        .map(describe);
      problems.push(`sideways scrolling by ${overflow}px: ${wide.join(", ")}`);
    }

    // --- nothing by colour alone ---------------------------------------------------------------
    // (a) A link inside a run of text is underlined or boxed, not only coloured.
    for (const link of document.querySelectorAll("a[href]")) {
      if (!rendered(link)) continue;
      const block = link.parentElement.closest("p, li, dd, td, th, figcaption, h1, h2, h3, div");
      if (!block) continue;
      const outside = [...block.childNodes]
        .filter((n) => n !== link && !(n.nodeType === 1 && (n.contains(link) || !rendered(n))))
        .map((n) => n.textContent)
        .join("")
        .replace(/[\s·|：:，,、]/g, "");
      if (!outside) continue;
      const style = getComputedStyle(link);
      const underlined = style.textDecorationLine.includes("underline");
      const boxed = SIDES.every((side) => px(style[`border${side}Width`]) >= 1);
      if (!underlined && !boxed) {
        problems.push(`link in text told apart by colour only: ${describe(link)}`);
      }
    }
    // (b) A state (current page, current choice, pressed button, search hit, read-aloud
    // paragraph) differs from its unmarked neighbours in something besides colour.
    const shape = (el) => {
      const s = getComputedStyle(el);
      return [
        s.fontWeight,
        s.fontStyle,
        s.textDecorationLine,
        SIDES.map((side) => s[`border${side}Style`] + s[`border${side}Width`]).join(),
        s.outlineStyle + s.outlineWidth,
      ].join("|");
    };
    const marked = "[aria-current], [aria-pressed=true], mark, .is-reading";
    for (const el of document.querySelectorAll(marked)) {
      if (!rendered(el)) continue;
      counts.states += 1;
      let peers;
      if (el.matches("mark")) {
        peers = [el.parentElement];
      } else {
        const group =
          el.closest("ul, ol, [role=group], .story-body, .read-aloud") || el.parentElement;
        peers = [...group.querySelectorAll(el.tagName)].filter(
          (other) => other !== el && !other.matches(marked) && rendered(other)
        );
      }
      if (!peers.length) continue; // nothing to be confused with
      if (peers.every((peer) => shape(peer) === shape(el))) {
        problems.push(`state shown by colour only: ${describe(el)}`);
      }
    }
    return { problems, counts };
  }

  // --- keyboard: every focusable element reached by Tab, its focus clearly drawn ----------
  const FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]";
  const tabbable = () =>
    [...document.querySelectorAll(FOCUSABLE)].filter(
      (el) =>
        el.tabIndex >= 0 &&
        !el.disabled &&
        !el.closest("[inert]") &&
        el.checkVisibility({ checkVisibilityCSS: true })
    );
  // Measured at each focusin, after the browser has scrolled the element into view: what is
  // focused, how its focus is drawn, whether it can be seen.
  const focusRecords = [];
  const watchFocus = () =>
    document.addEventListener("focusin", (event) => recordFocus(event.target), true);
  const recordFocus = (el) => {
    if (!el || el === document.body) return;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    focusRecords.push({
      el,
      visibleFocus: el.matches(":focus-visible"),
      outline: style.outlineStyle !== "none" ? px(style.outlineWidth) : 0,
      outlineColour: parseColour(style.outlineColor),
      behind: backdrop(el.parentElement),
      inView: box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
      covered: !(hit && (el.contains(hit) || hit.contains(el))),
    });
  };
  // The same stops again, focused by script: after keyboard use they keep :focus-visible
  // (checked in focusProblems), so the focus can be measured again in another colour scheme.
  const refocus = () => {
    const stops = [...new Set(focusRecords.map((r) => r.el))];
    focusRecords.length = 0;
    if (document.activeElement) document.activeElement.blur(); // so the last is focused anew
    for (const el of stops) el.focus();
  };
  const focusProblems = () => {
    const problems = [];
    const expected = tabbable();
    const reached = new Set(focusRecords.map((r) => r.el));
    for (const el of expected) {
      if (!reached.has(el)) problems.push(`never reached by Tab: ${describe(el)}`);
    }
    const order = focusRecords.map((r) => expected.indexOf(r.el));
    if (order.some((index, i) => i > 0 && index < order[i - 1])) {
      problems.push("Tab order differs from the reading order");
    }
    for (const r of focusRecords) {
      const what = describe(r.el);
      if (!r.visibleFocus) problems.push(`focus not :focus-visible: ${what}`);
      if (r.outline < 2) problems.push(`focus outline ${r.outline}px < 2px: ${what}`);
      else if (!r.behind || contrast(over(r.outlineColour, r.behind), r.behind) < 3) {
        problems.push(`focus outline contrast < 3:1: ${what}`);
      }
      if (!r.inView) problems.push(`focused element out of view: ${what}`);
      else if (r.covered) problems.push(`focused element covered by another: ${what}`);
    }
    return { problems, stops: focusRecords.length };
  };
  return { audit, tabbable, watchFocus, refocus, focusProblems };
})();
