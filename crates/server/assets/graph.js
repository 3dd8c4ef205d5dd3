// The lot page's trace graph: fit it to the screen or show it at full size, and save it as
// PNG (the SVG drawn onto a canvas in the browser). Without script the graph still shows
// fitted and downloads as SVG.
"use strict";
const lotraceGraph = (() => {
  const view = document.getElementById("graph-view");
  const fit = document.getElementById("graph-fit");
  const save = document.getElementById("graph-png");
  const svg = view && view.querySelector("svg");
  // The graph as a PNG data URL, at its own size times `scale` (sharper on hi-dpi screens).
  const png = (scale) => new Promise((resolve, reject) => {
    const width = Number(svg.getAttribute("width")) * scale;
    const height = Number(svg.getAttribute("height")) * scale;
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, width, height);
      ctx.drawImage(image, 0, 0, width, height);
      resolve(canvas.toDataURL("image/png"));
    };
    image.onerror = () => reject(new Error("the graph could not be drawn"));
    const text = new XMLSerializer().serializeToString(svg);
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
  });
  if (svg && fit && save) {
    fit.hidden = false;
    save.hidden = false;
    fit.addEventListener("click", () => {
      const fitted = view.classList.toggle("fit");
      fit.setAttribute("aria-pressed", String(fitted));
    });
    save.addEventListener("click", async () => {
      const link = document.createElement("a");
      link.href = await png(2);
      link.download = "trace.png";
      link.click();
    });
  }
  return { png };
})();
