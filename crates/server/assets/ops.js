// Receive and produce forms: shows the lot number the product's template would give, as
// the lot field's placeholder, whenever the product or the location changes. Without this
// script the server still proposes it when the page is opened with both, and assigns the
// number when the field is left empty.
(function () {
  "use strict";
  const lot = document.querySelector("input[data-propose]");
  if (!lot) return;
  const form = lot.form;
  const note = document.getElementById("lot-proposal");
  const product = form.elements.namedItem("product");
  const location = form.elements.namedItem("location");
  let asked = 0;
  async function update() {
    const wanted = { product: product.value.trim(), location: location.value.trim() };
    const ask = ++asked;
    let proposed = "";
    if (wanted.product && wanted.location) {
      try {
        const answer = await fetch("/api/v1/lots/proposal?" + new URLSearchParams(wanted), {
          headers: { accept: "application/json" },
          credentials: "same-origin",
        });
        if (answer.ok) proposed = (await answer.json()).lot || "";
      } catch (e) {
        // Offline or refused: no proposal; the server still numbers the lot.
      }
    }
    if (ask !== asked) return; // a later change answered first
    lot.placeholder = proposed;
    note.textContent = proposed ? "next from the template: " + proposed : "";
  }
  product.addEventListener("change", update);
  location.addEventListener("change", update);
})();
