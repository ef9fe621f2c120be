// Forms marked data-progress="ID": on submit, disable the submit button and show element ID (a progress
// indicator) while the server works; the next page replaces it. A static file: pages carry no inline script.
document.querySelectorAll("form[data-progress]").forEach(function (form) {
  form.addEventListener("submit", function () {
    var status = document.getElementById(form.getAttribute("data-progress"));
    if (status) { status.hidden = false; }
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  });
});
