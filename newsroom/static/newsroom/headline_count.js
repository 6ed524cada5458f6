// 主题: a live character count under the headline box. The form works without it; the copy
// checks warn after saving when a headline is over 30 characters.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("id_headline");
  if (!box) return;
  const count = document.createElement("output");
  count.id = "headline-count";
  count.className = "headline-count";
  count.htmlFor = "id_headline";
  count.setAttribute("aria-live", "polite");
  box.insertAdjacentElement("afterend", count);
  const show = () => {
    const n = Array.from(box.value).length;
    count.textContent = n > 30 ? `${n} 字，超过 30 字，手机上会折成多行` : `${n} / 30 字`;
    count.classList.toggle("over", n > 30);
  };
  box.addEventListener("input", show);
  show();
});
