// Record form: the note template buttons append their text to the note (static file: no inline script).
document.querySelectorAll("button.note-template").forEach((button) => {
  button.addEventListener("click", () => {
    const note = document.getElementById("record-note");
    note.value = (note.value.trim() ? note.value.trimEnd() + "\n\n" : "") + button.dataset.text;
    note.focus();
  });
});
