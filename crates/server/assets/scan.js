// Camera scanning on the scan page, where the browser has the Barcode Detection API
// (Chrome on Android, ChromeOS and macOS; Safari). Without it the button stays hidden and
// the page is the plain form a keyboard-wedge scanner types into.
"use strict";
function lotraceCamera() {
  const button = document.getElementById("camera");
  const video = document.getElementById("camera-view");
  const input = document.querySelector("form.scan input[name=input]");
  if (!button || !video || !input || !("BarcodeDetector" in window) ||
      !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  button.hidden = false;
  let stream = null;
  const stop = () => {
    if (stream) { stream.getTracks().forEach((t) => t.stop()); }
    stream = null;
    video.hidden = true;
    button.textContent = "Scan with the camera";
  };
  const found = (text) => {
    stop();
    input.value = text;
    input.form.submit();
  };
  button.addEventListener("click", async () => {
    if (stream) { stop(); return; }
    try {
      const supported = await BarcodeDetector.getSupportedFormats();
      const formats = ["data_matrix", "qr_code", "code_128", "ean_13"]
        .filter((f) => supported.includes(f));
      const detector = new BarcodeDetector({ formats });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream;
      video.hidden = false;
      button.textContent = "Stop the camera";
      // Not awaited: play() waits for the first frame; detect() is simply retried until then.
      video.play().catch(() => {});
      const look = async () => {
        if (!stream) { return; }
        const codes = await detector.detect(video).catch(() => []);
        if (codes.length > 0) { found(codes[0].rawValue); return; }
        setTimeout(look, 150);
      };
      look();
    } catch (e) {
      stop();
      const help = document.getElementById("scan-help");
      if (help) { help.textContent = "The camera is not available: " + e.message; }
    }
  });
}
lotraceCamera();
