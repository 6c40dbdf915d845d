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

// A refused form comes back in place (422): take the user to the first field to fix, which
// may be far above the button they pressed.
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.xhr?.status !== 422) return;
  const field = document.querySelector(".has-error :is(input, textarea, select)");
  if (field) field.focus();
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
