// On a phone the main navigation folds behind the Menu button, so a page starts with its
// content, not three lines of links. Without this script the navigation stays open.
(function () {
  "use strict";
  const header = document.querySelector("body > header");
  const button = header && header.querySelector(".menu-toggle");
  if (!button) return;
  header.classList.add("folds");
  button.addEventListener("click", function () {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    header.classList.toggle("open", open);
  });
})();
