// Signature pad of the consent page: pointer strokes on a canvas, sent as a PNG data URL in a hidden field.
// (A static file: the Content-Security-Policy forbids inline script.)
(() => {
  const canvas = document.getElementById("signature-pad");
  const field = document.getElementById("signature-data");
  const form = document.getElementById("consent-form");
  const message = document.getElementById("signature-message");
  if (!canvas || !field || !form) return;
  const ctx = canvas.getContext("2d");
  let drawing = false;
  let strokes = 0;

  function setup() {
    // keep the drawing buffer at the canvas's on-screen size times the pixel ratio, capped by the server's limit
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    canvas.width = Math.min(Math.round(width * ratio), 2000);
    canvas.height = Math.min(Math.round(height * ratio), 1000);
    ctx.setTransform(canvas.width / width, 0, 0, canvas.height / height, 0, 0);
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    strokes = 0;
    field.value = "";
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  }

  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    const [x, y] = point(event);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 0.1, y + 0.1);
    ctx.stroke();
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const [x, y] = point(event);
    ctx.lineTo(x, y);
    ctx.stroke();
    event.preventDefault();
  });
  const end = () => {
    if (drawing) {
      strokes += 1;
      field.value = canvas.toDataURL("image/png");
      message.textContent = "";
    }
    drawing = false;
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  canvas.addEventListener("pointerleave", end);

  document.getElementById("signature-clear").addEventListener("click", () => {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    setup();
  });
  form.addEventListener("submit", (event) => {
    if (strokes === 0) {
      event.preventDefault();
      message.textContent = "Please sign in the box before submitting.";
    }
  });
  setup();
})();
