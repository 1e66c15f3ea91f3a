// Progressive enhancement only: every page works without this script.
document.documentElement.classList.add("js");
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
  // A second click while the first is on its way would be refused as out of date.
  for (const form of document.querySelectorAll('form[method="post"]')) {
    form.addEventListener("submit", () => {
      setTimeout(() => form.querySelectorAll("button").forEach((b) => { b.disabled = true; }), 0);
    });
  }
});
// Coming back to a page (the browser's Back) finds its buttons usable again.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form button[disabled]").forEach((b) => { b.disabled = false; });
});
