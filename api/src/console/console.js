// Progressive enhancement only: every page works without this script.
// Evidence forms take a file dropped on them, with the same rules as choosing it.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-drop]")) {
    const input = form.querySelector('input[type="file"]');
    if (!input) continue;
    form.addEventListener("dragover", (e) => { e.preventDefault(); form.classList.add("over"); });
    form.addEventListener("dragleave", () => form.classList.remove("over"));
    form.addEventListener("drop", (e) => {
      e.preventDefault();
      form.classList.remove("over");
      if (e.dataTransfer && e.dataTransfer.files.length) input.files = e.dataTransfer.files;
    });
  }
});
