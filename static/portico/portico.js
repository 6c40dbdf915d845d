// Portico's small behaviours. No inline handlers: the CSP allows only scripts from this origin.
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copyTarget);
  if (!source) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(() => {
    button.textContent = "Copied";
  });
});

// Shown-once keys and tokens: a modal dialog; "I have saved it" takes the values off the page.
function openShownOnce(root) {
  root.querySelectorAll("dialog[data-shown-once][open]").forEach((dialog) => {
    dialog.close();
    dialog.showModal();
  });
}
document.addEventListener("DOMContentLoaded", () => openShownOnce(document));
document.addEventListener("htmx:load", (event) => openShownOnce(event.target));
document.addEventListener("click", (event) => {
  const done = event.target.closest("[data-shown-once-done]");
  if (!done) return;
  event.preventDefault();
  const dialog = done.closest("dialog");
  dialog.close();
  dialog.remove();
});
