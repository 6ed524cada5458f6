// 复制链接: progressive enhancement. Without JavaScript the link is a plain link to the article,
// which a reader can long-press or right-click to copy; with it, one tap copies the address.
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-copy-link]");
  if (!link || !navigator.clipboard) return;
  event.preventDefault();
  var status = document.querySelector(".copy-status");
  navigator.clipboard.writeText(link.href).then(
    function () { if (status) status.textContent = "链接已复制，可以粘贴到微信里发给朋友。"; },
    function () { if (status) status.textContent = "没能复制，请长按链接复制。"; }
  );
});
